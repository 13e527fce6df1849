package io.github.longpollchat.hub;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One event of a room, as every client sees it: a message, a join or a leave. Immutable; its
 * JSON is written once when the event is made and shared by every recipient.
 *
 * @param id the room's cursor: the previous event's id + 1, starting at 1
 * @param text null for join and leave
 */
@JsonPropertyOrder({"id", "room", "type", "name", "text", "ts"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Event(long id, String room, String type, String name, String text, long ts) {
    public static final String MESSAGE = "message";
    public static final String JOIN = "join";
    public static final String LEAVE = "leave";
}
