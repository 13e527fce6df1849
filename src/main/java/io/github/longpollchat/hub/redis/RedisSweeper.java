package io.github.longpollchat.hub.redis;

import io.github.longpollchat.hub.DaemonTimer;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's clock, four times a second: times out this node's parked polls, renews the life of
 * their clients in Redis as often as {@link Liveness} says, and runs the chat's
 * time-driven rules in Redis ({@code chat1_sweep}: grace leaves, expiry, presence summaries, idle
 * rooms). Every node runs it; there is no coordinator, since each rule checks again, inside its
 * one atomic call, what it acts on, so that two nodes sweeping at once do each thing once.
 */
final class RedisSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSweeper.class);
    private static final long SWEEP_MILLIS = 250;
    /** Clients, grace leaves, summaries and rooms handled per kind and call: a bound on each call's time in Redis. */
    private static final int BATCH = 200;

    private final WakeUps wakeUps;
    private final ChatFunctions functions;
    private final Liveness liveness;
    private final ScheduledThreadPoolExecutor timer;
    /** When the parked polls' clients were last kept alive, as a {@link System#nanoTime()}. */
    private long keptAlive = System.nanoTime();
    /** Set while a sweep call is out: a slow Redis gets one at a time, not a pile. */
    private final AtomicBoolean calling = new AtomicBoolean();

    RedisSweeper(WakeUps wakeUps, ChatFunctions functions, Liveness liveness) {
        this.wakeUps = wakeUps;
        this.functions = functions;
        this.liveness = liveness;
        this.timer = DaemonTimer.named("chat-redis-sweeper");
        timer.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            wakeUps.sweep(now);
            if (now - keptAlive >= TimeUnit.MILLISECONDS.toNanos(liveness.renewMillis())) {
                keptAlive = now;
                wakeUps.keepAlive(liveness.slackMillis());
            }
            if (calling.compareAndSet(false, true)) {
                functions.call("chat1_sweep", BATCH).whenComplete((answer, failure) -> calling.set(false));
            }
        } catch (RuntimeException e) {
            LOG.error("sweep failed", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
