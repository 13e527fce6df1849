package io.github.longpollchat.hub;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A timer of one named daemon thread, whose cancelled tasks leave its queue at once: the chat's
 * time-driven work (sweeps, grace leaves, body deadlines) never keeps the JVM alive, and a
 * cancelled deadline holds no memory until it would have fired.
 */
public final class DaemonTimer {
    private DaemonTimer() {
    }

    public static ScheduledThreadPoolExecutor named(String name) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
