package io.github.longpollchat.hub;

import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A {@code /get_msg} waiting in a mailbox, holding no thread.
 *
 * <p>Threading: several parties may try to answer it at once: a new message, its timeout, a newer
 * poll of the same client, the client leaving, or shutdown. {@link #claim()} settles the race with
 * one compare-and-set on {@link #answered}: the party that wins answers, the others do nothing, so
 * a poll is answered exactly once.
 */
public final class ParkedPoll {
    private final Client client;
    private final Consumer<PollResult> reply;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile Future<?> timeout;

    ParkedPoll(Client client, Consumer<PollResult> reply) {
        this.client = client;
        this.reply = reply;
    }

    Client client() {
        return client;
    }

    void timeoutWith(Future<?> future) {
        timeout = future;
        if (answered.get()) {
            future.cancel(false);
        }
    }

    /** @return true for exactly one caller: the one that must answer this poll */
    boolean claim() {
        if (!answered.compareAndSet(false, true)) {
            return false;
        }
        Future<?> pending = timeout;
        if (pending != null) {
            pending.cancel(false);
        }
        return true;
    }

    /** Answers a claimed poll; the client's liveness counts from the end of its poll. */
    void answer(PollResult result) {
        client.pollEnded();
        reply.accept(result);
    }

    boolean isAnswered() {
        return answered.get();
    }
}
