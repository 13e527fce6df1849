package io.github.longpollchat.hub;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A {@code /get_msg} waiting in a mailbox, holding no thread.
 *
 * <p>Threading: several parties may try to answer it at once: a new message, its timeout, a newer
 * poll of the same client, the client leaving, or shutdown. {@link #claim()} settles the race with
 * one compare-and-set on {@link #answered}: the party that wins answers, the others do nothing, so
 * a poll is answered exactly once.
 *
 * <p>Its timeout is only a {@link #deadline}: the {@link Sweeper} times out a parked poll once that has
 * passed. Parking and answering a poll touch no timer, so no lock is shared by all polls.
 */
public final class ParkedPoll {
    private final Client client;
    private final Consumer<PollResult> reply;
    private final AtomicBoolean answered = new AtomicBoolean();
    private final long deadline;

    /** @param deadline when it times out, as a {@link System#nanoTime()} */
    ParkedPoll(Client client, Consumer<PollResult> reply, long deadline) {
        this.client = client;
        this.reply = reply;
        this.deadline = deadline;
    }

    Client client() {
        return client;
    }

    /** Its timeout has come (comparing {@code nanoTime}s as {@code now - deadline >= 0}). */
    boolean isDue(long nowNanos) {
        return nowNanos - deadline >= 0;
    }

    /** @return true for exactly one caller: the one that must answer this poll */
    boolean claim() {
        return answered.compareAndSet(false, true);
    }

    /** Answers a claimed poll; the client's liveness counts from the end of its poll. */
    void answer(PollResult result) {
        client.pollEnded();
        reply.accept(result);
    }
}
