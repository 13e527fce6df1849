package io.github.longpollchat.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One client's queue of events not yet acknowledged, and its parked poll, if any.
 *
 * <p>Threading: every method holds this mailbox's monitor, so a poll either finds a message or
 * registers itself as the waiter, and a new message either finds the waiter or is found by the
 * next poll: there is no gap between the check and the park in which a message could slip by
 * (the lost wake-up). Lock order: a room's lock, then a mailbox's, never the reverse. Nothing
 * answers a poll while holding this lock; callers wake the returned waiters afterwards.
 */
final class Mailbox {
    /** Bounded by the mailbox setting; its own lock is never contended, since this monitor guards every use. */
    private final BlockingQueue<PostedEvent> queue;
    private long lastAcked;
    private long lastPut;
    private ParkedPoll waiter;
    private boolean closed;

    /** @param start the room's newest id when the client joined: nothing up to it is for this client */
    Mailbox(int capacity, long start) {
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.lastAcked = start;
        this.lastPut = start;
    }

    /**
     * Puts an event in; a parked poll is taken out and added to {@code toWake}.
     *
     * @return false when the mailbox is full: the client must be evicted
     */
    synchronized boolean offer(PostedEvent event, List<ParkedPoll> toWake) {
        if (closed) {
            return true;
        }
        if (!queue.offer(event)) {
            return false;
        }
        lastPut = event.id();
        if (waiter != null) {
            // From here until its answer the client has no poll parked: its liveness must count
            // from now, or a sweep in between sees an old "last seen" and expires it.
            waiter.client().pollEnded();
            toWake.add(waiter);
            waiter = null;
        }
        return true;
    }

    /** What a poll does now: answer at once or park; either way it may supersede an older poll. */
    record Step(PollResult now, ParkedPoll superseded) {
    }

    /**
     * Acknowledges up to {@code cursor}, then answers at once if anything is queued (or parking is
     * not wanted), else parks {@code candidate}.
     *
     * @param cursor the client's cursor, or -1 for none
     * @param candidate the poll to park, or null to answer at once (timeout 0)
     */
    synchronized Step poll(long cursor, ParkedPoll candidate) {
        if (closed) {
            return new Step(PollResult.GONE, null);
        }
        acknowledge(cursor);
        // A newer poll supersedes a parked one, also a plain poll (timeout 0) that won't park.
        ParkedPoll older = waiter;
        if (!queue.isEmpty() || candidate == null) {
            waiter = null;
            return new Step(current(), older);
        }
        waiter = candidate;
        return new Step(null, older);
    }

    private void acknowledge(long cursor) {
        if (cursor <= lastAcked) {
            return;
        }
        while (!queue.isEmpty() && queue.peek().id() <= cursor) {
            queue.poll();
        }
        lastAcked = Math.min(cursor, lastPut);
    }

    /** The answer for a poll that was just claimed: whatever is queued now, at most one batch. */
    synchronized PollResult current() {
        if (closed) {
            return PollResult.GONE;
        }
        if (queue.isEmpty()) {
            return PollResult.empty(lastAcked);
        }
        List<PostedEvent> batch = new ArrayList<>(Math.min(queue.size(), PollResult.MAX_BATCH));
        for (PostedEvent event : queue) {
            batch.add(event);
            if (batch.size() == PollResult.MAX_BATCH) {
                break;
            }
        }
        return PollResult.batch(batch);
    }

    /** Takes {@code poll} out if it is still the waiter (its timeout fired). */
    synchronized void release(ParkedPoll poll) {
        if (waiter == poll) {
            waiter = null;
        }
    }

    /** @return the parked poll, taken out; or null */
    synchronized ParkedPoll takeWaiter() {
        ParkedPoll taken = waiter;
        waiter = null;
        return taken;
    }

    /** Frees the queue for good; later polls get 410. @return the parked poll to answer, or null */
    synchronized ParkedPoll close() {
        closed = true;
        queue.clear();
        return takeWaiter();
    }

    /** The parked poll, left in place: the sweep looks for timed-out polls with it, tests race a timeout with it. */
    synchronized ParkedPoll waiter() {
        return waiter;
    }

    synchronized boolean hasWaiter() {
        return waiter != null;
    }

    synchronized long lastAcked() {
        return lastAcked;
    }

    synchronized PollResult superseded() {
        return PollResult.superseded(lastAcked);
    }

    synchronized int size() {
        return queue.size();
    }
}
