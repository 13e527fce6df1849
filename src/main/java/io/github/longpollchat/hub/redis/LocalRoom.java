package io.github.longpollchat.hub.redis;

import io.github.longpollchat.hub.PollResult;
import io.github.longpollchat.hub.PostedEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What this node knows of one room: its polls parked here, the newest id a wake-up told of, its
 * newest events, and the recent supersedes and ends of its clients.
 *
 * <p>Why the last two: a poll is parked by a Redis call on the command connection, its wake-ups
 * come on the pub/sub connection, and the two are read by different threads, so a wake-up for a
 * change made just after the poll's call may be read before the call's answer. Each wake-up leaves
 * its mark here, and a poll checks the marks as it parks: under this room's lock it either finds
 * the mark or is found by the wake-up (no lost wake-up). Marks of supersedes and ends are kept
 * {@value #MARK_SECONDS} s, longer than any call may take (see {@code RedisHub}).
 *
 * <p>Threading: every method must be called holding this object's monitor ({@link WakeUps#inRoom}).
 */
final class LocalRoom {
    static final int MARK_SECONDS = 10;
    /** Newest events kept, for the polls Redis answers at once (see {@link #recent}). */
    static final int RECENT = 32;
    /** Events longer than this are not kept (polls that need one read it): at most 32 KiB per room. */
    static final int KEPT_BYTES = 1024;
    private static final long MARK_NANOS = MARK_SECONDS * 1_000_000_000L;
    private static final long GONE = Long.MAX_VALUE;

    final String name;
    /** The newest id a wake-up told of; -1 when none did, or when wake-ups may have been lost. */
    private long knownLast = -1;
    /** The answer of just that newest event, for a poll that missed only it; null with {@link #knownLast} -1. */
    private PollResult newest;
    /** The newest events, each at its id modulo {@link #RECENT}: all after the last gap, up to {@link #knownLast}. */
    private final Recent[] recent = new Recent[RECENT];
    private long heard = System.nanoTime();
    private final Map<String, RedisPoll> waiters = new HashMap<>();
    /** Recent supersedes and ends by client digest. */
    private final Map<String, Mark> marks = new HashMap<>();
    /** Set when dropped from the node's map; whoever still holds it must look again. */
    boolean dropped;

    /** An event told by a wake-up, with the time stamp that tells it from another with its id (after Redis lost its data). */
    private record Recent(PostedEvent event, long ts) {
    }

    /** A newer poll's generation and acknowledged id, or {@link #GONE}. */
    private record Mark(long gen, long ack, long at) {
    }

    LocalRoom(String name) {
        this.name = name;
    }

    /** What a new event does here: the polls it wakes, and whether ids were skipped (wake-ups lost). */
    record Woken(List<RedisPoll> next, List<RedisPoll> behind, boolean gap) {
    }

    /**
     * Event {@code id} was posted at {@code ts} ({@code news}: the answer of it alone): polls that
     * had everything before it get it; those further behind must read.
     */
    Woken event(long id, long ts, PollResult news, long now) {
        boolean gap = knownLast >= 0 && id != knownLast + 1;
        if (knownLast < 0 || id != knownLast + 1) {
            Arrays.fill(recent, null);
        }
        PostedEvent posted = news.messages().get(0);
        recent[slot(id)] = posted.json().length <= KEPT_BYTES ? new Recent(posted, ts) : null;
        knownLast = id;
        newest = news;
        heard = now;
        List<RedisPoll> next = new ArrayList<>();
        List<RedisPoll> behind = new ArrayList<>();
        waiters.values().removeIf(poll -> {
            if (poll.ack >= id) {
                return false;
            }
            (poll.ack == id - 1 ? next : behind).add(poll);
            return true;
        });
        return new Woken(next, behind, gap);
    }

    /** A poll of generation {@code gen} supersedes the client's older ones. @return the one parked here to answer, or null */
    RedisPoll supersede(String digest, long gen, long ack, long now) {
        heard = now;
        marks.put(digest, new Mark(gen, ack, now));
        RedisPoll parked = waiters.get(digest);
        if (parked == null || parked.gen >= gen) {
            return null;
        }
        waiters.remove(digest);
        return parked;
    }

    /** The client is gone. @return its poll parked here, or null */
    RedisPoll end(String digest, long now) {
        heard = now;
        marks.put(digest, new Mark(GONE, 0, now));
        return waiters.remove(digest);
    }

    /**
     * How parking a poll went: answered at once ({@code now}), or parked; an older poll of the same client
     * that it replaced ({@code older}), to be answered as superseded; and whether events it must
     * read came between its Redis call and now ({@code read}: then it is not parked).
     */
    record Parking(PollResult now, RedisPoll older, boolean read) {
    }

    Parking park(RedisPoll poll) {
        Mark mark = marks.get(poll.digest);
        if (mark != null && mark.gen == GONE) {
            return new Parking(PollResult.GONE, null, false);
        }
        if (mark != null && mark.gen > poll.gen) {
            return new Parking(PollResult.superseded(mark.ack), null, false);
        }
        RedisPoll other = waiters.get(poll.digest);
        if (other != null && other.gen > poll.gen) {
            return new Parking(PollResult.superseded(other.ack), null, false);
        }
        if (knownLast > poll.ack) {
            RedisPoll older = other == null ? null : waiters.remove(poll.digest);
            // Under load a poll's call often returns after the wake-up of the one event it missed.
            return knownLast == poll.ack + 1 ? new Parking(newest, older, false) : new Parking(null, older, true);
        }
        waiters.put(poll.digest, poll);
        return new Parking(null, other, false);
    }

    /** @return true if the poll was still parked here, and now is not */
    boolean remove(RedisPoll poll) {
        return waiters.remove(poll.digest, poll);
    }

    /** Takes out the polls whose timeout has come, and forgets old marks. */
    List<RedisPoll> due(long now) {
        marks.values().removeIf(mark -> now - mark.at > MARK_NANOS);
        List<RedisPoll> due = new ArrayList<>();
        waiters.values().removeIf(poll -> poll.isDue(now) && due.add(poll));
        return due;
    }

    /** Nothing parked, no mark, nothing heard for long: the node may drop it. */
    boolean isIdle(long now) {
        return waiters.isEmpty() && marks.isEmpty() && now - heard > MARK_NANOS;
    }

    List<RedisPoll> parked() {
        return List.copyOf(waiters.values());
    }

    List<RedisPoll> takeAll() {
        List<RedisPoll> all = List.copyOf(waiters.values());
        waiters.clear();
        return all;
    }

    /** Wake-ups may have been lost: the next one must not count as the one after {@link #knownLast}. */
    void forgetLast() {
        knownLast = -1;
        newest = null;
        Arrays.fill(recent, null);
    }

    /**
     * The events after {@code after}, at most {@code max}, of a room whose newest event is
     * {@code last}, posted at {@code lastTs}: from what wake-ups told, or null when they did not
     * tell all of them (yet), or told of another event {@code last} (Redis lost its data since).
     */
    List<PostedEvent> recent(long after, long last, long lastTs, int max) {
        Recent newestKept = last > knownLast ? null : recent[slot(last)];
        if (newestKept == null || newestKept.event.id() != last || newestKept.ts != lastTs) {
            return null;
        }
        long to = Math.min(last, after + max);
        List<PostedEvent> events = new ArrayList<>((int) Math.max(0, to - after));
        for (long id = after + 1; id <= to; id++) {
            Recent kept = recent[slot(id)];
            if (kept == null || kept.event.id() != id) {
                return null;
            }
            events.add(kept.event);
        }
        return events;
    }

    private static int slot(long id) {
        return (int) Math.floorMod(id, (long) RECENT);
    }

    int size() {
        return waiters.size();
    }
}
