package io.github.longpollchat.http;

import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import io.github.longpollchat.hub.DaemonTimer;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The timer of the POST bodies' deadlines ({@link BodyReader}): one thread for the whole app.
 * Each body arms one task and cancels it when it has arrived; a cancelled task leaves the queue at
 * once, so the queue holds only bodies still arriving.
 *
 * <p>Not the container's async timeout: that one's callback must end the exchange before it
 * returns, which a non-blocking answer cannot promise.
 */
public final class BodyDeadlines implements AutoCloseable {
    private final ScheduledThreadPoolExecutor timer;

    BodyDeadlines() {
        timer = DaemonTimer.named("chat-body-deadlines");
    }

    /** @return the armed deadline, to cancel; null once closed (the app is stopping) */
    Future<?> arm(Runnable onExpiry, long millis) {
        try {
            return timer.schedule(onExpiry, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            return null;
        }
    }

    /** Bodies still arriving, each with its deadline armed. */
    public int pending() {
        return timer.getQueue().size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
