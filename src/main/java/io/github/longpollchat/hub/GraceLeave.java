package io.github.longpollchat.hub;

import java.util.concurrent.Future;

/**
 * A {@code /leave} with a grace period, pending: its task on the sweeper's timer, which any later
 * request of the client cancels, so that a page sending grace leaves over and over leaves one
 * task behind, not one per request.
 */
final class GraceLeave {
    /** Set just after scheduling; a request in between finds none, and the leave cancels itself (see {@link Sweeper#leaveLater}). */
    volatile Future<?> task;

    void cancel() {
        Future<?> scheduled = task;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }
}
