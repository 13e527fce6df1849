package io.github.longpollchat.hub;

import java.util.List;

/**
 * The answer to one {@code /get_msg}: a batch of messages, an empty answer (timeout, plain
 * polling, shutdown), a superseded one, or "this client is gone" (410).
 *
 * @param cursor the id of the batch's last message, or the client's last acknowledged id
 */
public record PollResult(List<PostedEvent> messages, long cursor, boolean superseded, boolean gone) {
    /** Messages in one answer at most; the client polls again for the rest. */
    public static final int MAX_BATCH = 500;
    public static final PollResult GONE = new PollResult(List.of(), 0, false, true);

    public static PollResult batch(List<PostedEvent> messages) {
        return new PollResult(messages, messages.get(messages.size() - 1).id(), false, false);
    }

    public static PollResult empty(long lastAcked) {
        return new PollResult(List.of(), lastAcked, false, false);
    }

    public static PollResult superseded(long lastAcked) {
        return new PollResult(List.of(), lastAcked, true, false);
    }

    /** The protocol's {@code status}: true when there are messages. */
    public boolean status() {
        return !messages.isEmpty();
    }
}
