package io.github.longpollchat.hub;

import java.util.ArrayList;
import java.util.List;

/**
 * The joins and leaves of a big room not yet told, summed up into its next {@code presence}
 * event. In a room of N members every join told as its own event is N deliveries, so N joins
 * would cost N²; a summary every {@value #GAP_SECONDS} s costs N each.
 *
 * <p>Not thread-safe; guarded by its room's lock.
 */
final class Presence {
    /** Names listed per kind (joined, left); the rest are only counted in {@code more}. */
    static final int NAMED = 10;
    /** Summaries of one room are at least this far apart. */
    static final int GAP_SECONDS = 2;
    private static final long GAP_NANOS = GAP_SECONDS * 1_000_000_000L;

    private final List<String> joined = new ArrayList<>(NAMED);
    private final List<String> left = new ArrayList<>(NAMED);
    private int more;
    /** When the last summary was posted, as a {@link System#nanoTime()}; at first, as if one just went out of date. */
    private long lastPosted = System.nanoTime() - GAP_NANOS;

    void joined(String name) {
        note(joined, name);
    }

    void left(String name) {
        note(left, name);
    }

    private void note(List<String> names, String name) {
        if (names.size() < NAMED) {
            names.add(name);
        } else {
            more++;
        }
    }

    /**
     * Whether a summary should go out now: something to tell, and the last one at least
     * {@value #GAP_SECONDS} s ago. The sweep asks four times a second, so a change is told within
     * {@value #GAP_SECONDS} s and a quarter of the last summary, or a quarter of a second of itself.
     */
    boolean isDue(long nowNanos) {
        // "more" counts only past full lists, so the lists alone tell whether anything waits.
        return (!joined.isEmpty() || !left.isEmpty()) && nowNanos - lastPosted >= GAP_NANOS;
    }

    /** The summary's event for a room of {@code count} members; starts the next summary afresh. */
    Event take(long id, String room, int count, long nowNanos) {
        Event event = new Event(id, room, Event.PRESENCE, null, null, count,
                List.copyOf(joined), List.copyOf(left), more, System.currentTimeMillis());
        joined.clear();
        left.clear();
        more = 0;
        lastPosted = nowNanos;
        return event;
    }
}
