package io.github.longpollchat.hub;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One event of a room, as every client sees it: a message, a join, a leave, or a big room's
 * presence summary. Immutable; its JSON is written once when the event is made and shared by
 * every recipient. Fields that an event's type does not have are null, and left out of its JSON.
 *
 * @param id the room's cursor: the previous event's id + 1, starting at 1
 * @param name the sender, or who joined or left; null for presence
 * @param text the message's text
 * @param count for presence: the room's live members when it was posted
 * @param joined for presence: the first joins it sums up, in order
 * @param left for presence: the first leaves it sums up, in order
 * @param more for presence: how many of the joins and leaves it sums up are not named
 */
@JsonPropertyOrder({"id", "room", "type", "name", "text", "count", "joined", "left", "more", "ts"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Event(long id, String room, String type, String name, String text,
                    Integer count, List<String> joined, List<String> left, Integer more, long ts) {
    public static final String MESSAGE = "message";
    public static final String JOIN = "join";
    public static final String LEAVE = "leave";
    public static final String PRESENCE = "presence";

    /** A message, join or leave. */
    public Event(long id, String room, String type, String name, String text, long ts) {
        this(id, room, type, name, text, null, null, null, null, ts);
    }
}
