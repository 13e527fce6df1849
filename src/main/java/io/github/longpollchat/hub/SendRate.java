package io.github.longpollchat.hub;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A sliding-window limit on accepted messages: at most {@code limit} in any 10 s. Not
 * thread-safe; guarded by the client's room lock.
 */
final class SendRate {
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int limit;
    private final ArrayDeque<Long> accepted = new ArrayDeque<>();

    SendRate(int limit) {
        this.limit = limit;
    }

    /** @return 0 if a message may be sent now, else the whole seconds (at least 1) to wait */
    long secondsToWait(long nowNanos) {
        if (limit == 0) {
            return 0;
        }
        while (!accepted.isEmpty() && nowNanos - accepted.peekFirst() >= WINDOW_NANOS) {
            accepted.pollFirst();
        }
        if (accepted.size() < limit) {
            return 0;
        }
        long waitNanos = accepted.peekFirst() + WINDOW_NANOS - nowNanos;
        return Math.max(1, (waitNanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
    }

    void record(long nowNanos) {
        if (limit > 0) {
            accepted.addLast(nowNanos);
        }
    }
}
