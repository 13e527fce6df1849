package io.github.longpollchat.hub;

import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's clock: one timer thread that sweeps four times a second — timing out parked polls
 * past their deadline (so a poll is answered at most a quarter of a second after its timeout,
 * never before), expiring idle clients, posting big rooms' presence summaries and forgetting idle
 * rooms — and runs grace leaves.
 *
 * <p>A parked poll's timeout is a deadline in the poll, not a task on this timer: a task per poll
 * would make every park and every wake-up take the timer queue's one lock. The timer holds only
 * the sweep and pending grace leaves; a leave's task is cancelled, and drops out of the queue at
 * once, when a later request of its client comes.
 */
final class Sweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);
    private static final long SWEEP_MILLIS = 250;

    private final MemoryHub hub;
    private final long clientTtlNanos;
    private final long roomTtlNanos;
    private final ScheduledThreadPoolExecutor timer;
    /** The periodic sweep's task, or null; every other task on the timer is a grace leave. */
    private final Future<?> sweeping;

    /** @param sweeping false for race tests that must be the only ones to sweep, by {@link #sweep()} */
    Sweeper(MemoryHub hub, long clientTtlNanos, long roomTtlNanos, boolean sweeping) {
        this.hub = hub;
        this.clientTtlNanos = clientTtlNanos;
        this.roomTtlNanos = roomTtlNanos;
        this.timer = DaemonTimer.named("chat-sweeper");
        this.sweeping = sweeping
                ? timer.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS)
                : null;
    }

    /** Times out parked polls, expires idle clients and forgets empty, quiet rooms. */
    void sweep() {
        try {
            long now = System.nanoTime();
            for (Client client : hub.clients()) {
                ParkedPoll parked = client.mailbox.waiter();
                if (parked != null && parked.isDue(now)) {
                    timeOut(parked);
                }
                if (client.idleLongerThan(clientTtlNanos, now)) {
                    hub.expireIfIdle(client, clientTtlNanos);
                }
            }
            for (Room room : hub.rooms()) {
                hub.tend(room, roomTtlNanos, now);
            }
        } catch (RuntimeException e) {
            LOG.error("sweep failed", e);
        }
    }

    /** A parked poll's deadline has passed: answer it with whatever is queued (usually nothing). */
    void timeOut(ParkedPoll poll) {
        poll.client().mailbox.release(poll);
        if (poll.claim()) {
            poll.answer(poll.client().mailbox.current());
        }
    }

    /**
     * Ends the client after {@code graceSeconds} unless a request of it comes first (which clears
     * {@link Client#pendingLeave} and cancels the task).
     *
     * @return false when the timer is closed (the hub is stopping)
     */
    boolean leaveLater(Client client, int graceSeconds) {
        GraceLeave pending = new GraceLeave();
        client.pendingLeave = pending;
        try {
            pending.task = timer.schedule(() -> hub.end(client, pending), graceSeconds, TimeUnit.SECONDS);
        } catch (RejectedExecutionException closed) {
            client.pendingLeave = null;
            return false;
        }
        if (client.pendingLeave != pending) {
            // A request came between setting it and scheduling the task, and found no task to cancel.
            pending.cancel();
        }
        return true;
    }

    /**
     * Grace leaves waiting on the timer. The queue is read in one snapshot, and the sweep is told
     * apart by identity, not counted as "size - 1": while it runs it is off the queue.
     */
    int pendingLeaves() {
        int leaves = 0;
        for (Runnable task : timer.getQueue()) {
            if (task != sweeping) {
                leaves++;
            }
        }
        return leaves;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
