package io.github.longpollchat.testing;

import io.github.longpollchat.hub.Hub;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Reading a hub's counts as a test needs them: exactly. A state the server reaches after it has
 * answered (a poll parks as its request is handled, a room goes at the next sweep) is waited for,
 * bounded, and a wait that runs out fails; the timer's queue is read across the sweep's runs,
 * since the periodic sweep leaves the queue while it runs and one reading may miss it.
 */
public final class HubWatch {
    /** How long a test waits for a state the server must reach: ample on a loaded 2-core machine. */
    public static final Duration PATIENCE = Duration.ofSeconds(30);
    /** The hub's sweep period (see {@code Hub}), and a reading every fifth of it. */
    private static final long SWEEP_MILLIS = 250;
    private static final long READING_MILLIS = SWEEP_MILLIS / 5;

    private HubWatch() {
    }

    /** Waits until {@code condition} holds; fails, naming {@code what}, if it does not within {@link #PATIENCE}. */
    public static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + PATIENCE.toSeconds() + " s: " + what);
            }
            Thread.sleep(20);
        }
    }

    /**
     * The tasks waiting on the hub's timer, its periodic sweep counted whether or not it is
     * running: the most of readings spread over two sweep periods. A reading taken while the sweep
     * runs is one short (the task leaves the queue until it is done); none reads more than waits.
     */
    public static int timerTasks(Hub hub) {
        int most = 0;
        try {
            for (long waited = 0; waited <= 2 * SWEEP_MILLIS; waited += READING_MILLIS) {
                most = Math.max(most, hub.stats().timerTasks());
                Thread.sleep(READING_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the timer's queue", e);
        }
        return most;
    }
}
