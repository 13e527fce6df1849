package io.github.longpollchat.hub.redis;

import io.github.longpollchat.hub.PollResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@code /get_msg} parked on this node, holding no thread: what Redis said when it parked
 * (its room, the client's last acknowledged id, the poll's generation) and the stage its answer
 * completes.
 *
 * <p>Threading: a wake-up, the timeout, a newer poll (from this node or another), the client's end
 * or shutdown may try to answer it at once; {@link #claim()} lets exactly one of them.
 */
final class RedisPoll {
    final String digest;
    final String room;
    /** The client's last acknowledged id when it parked: everything after it is news. */
    final long ack;
    /** Which of the client's polls this is; a newer one supersedes it. */
    final long gen;
    private final long deadline;
    private final CompletableFuture<PollResult> answer;
    private final AtomicBoolean answered = new AtomicBoolean();

    /** @param deadline when it times out, as a {@link System#nanoTime()} */
    RedisPoll(String digest, String room, long ack, long gen, long deadline, CompletableFuture<PollResult> answer) {
        this.digest = digest;
        this.room = room;
        this.ack = ack;
        this.gen = gen;
        this.deadline = deadline;
        this.answer = answer;
    }

    boolean isDue(long nowNanos) {
        return nowNanos - deadline >= 0;
    }

    /** @return true for exactly one caller: the one that must answer this poll */
    boolean claim() {
        return answered.compareAndSet(false, true);
    }

    /** Answers a claimed poll. */
    void answer(PollResult result) {
        answer.complete(result);
    }
}
