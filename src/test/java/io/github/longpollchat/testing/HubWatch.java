package io.github.longpollchat.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a state the server reaches after it has answered (a poll parks as its request is
 * handled, a room goes at the next sweep): bounded, and a wait that runs out fails.
 */
public final class HubWatch {
    /** How long a test waits for a state the server must reach: ample on a loaded 2-core machine. */
    public static final Duration PATIENCE = Duration.ofSeconds(30);

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
}
