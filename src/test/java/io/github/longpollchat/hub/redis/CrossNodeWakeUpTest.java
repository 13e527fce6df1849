package io.github.longpollchat.hub.redis;

import static io.github.longpollchat.hub.redis.Nodes.await;
import static io.github.longpollchat.hub.redis.Nodes.join;
import static io.github.longpollchat.hub.redis.Nodes.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.hub.JoinResult;
import io.github.longpollchat.hub.PollResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A poll parked on one node is answered by what happens on another: a send, or a newer poll. */
@Timeout(60)
class CrossNodeWakeUpTest {
    @RegisterExtension
    static final Nodes nodes = Nodes.onSharedRedis();
    private RedisHub a;
    private RedisHub b;

    @BeforeEach
    void twoNodes() {
        a = nodes.node();
        b = nodes.node();
    }

    @Test
    void aSendOnOneNodeWakesAPollParkedOnAnotherWithinMilliseconds() throws Exception {
        JoinResult alice = join(a, "alice", "lobby");
        JoinResult bob = join(b, "bob", "lobby");
        CompletionStage<PollResult> parked = b.poll(bob.clientId(), bob.cursor() + 1, 30);
        assertTrue(within(Nodes.WAIT_MILLIS, () -> b.stats().parkedPolls() == 1), "bob's poll parked on b");

        long sent = System.nanoTime();
        long id = await(a.send(alice.clientId(), "hello", null));
        PollResult woken = await(parked);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

        assertEquals(id, woken.cursor());
        assertEquals("hello", woken.messages().get(0).event().text());
        assertTrue(millis < 500, "woken " + millis + " ms after the send");
    }

    @Test
    void aSendRacingAPollOnAnotherNodeIsNeverLost() throws Exception {
        JoinResult alice = join(a, "alice", "lobby");
        JoinResult bob = join(b, "bob", "lobby");
        long cursor = bob.cursor() + 1;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 200; round++) {
                long acked = cursor;
                CountDownLatch go = new CountDownLatch(1);
                Future<CompletionStage<PollResult>> poll = pool.submit(() -> {
                    go.await();
                    return b.poll(bob.clientId(), acked, 30);
                });
                Future<CompletionStage<Long>> send = pool.submit(() -> {
                    go.await();
                    return a.send(alice.clientId(), "round " + acked, null);
                });
                go.countDown();
                long id = await(send.get());
                PollResult answer = await(poll.get());
                assertEquals(id, answer.cursor(), "round " + round + ": the poll got the message, at once or woken");
                cursor = id;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPollSupersededFromAnotherNodeIsAnsweredWithin100Ms() throws Exception {
        JoinResult bob = join(a, "bob", "lobby");
        CompletableFuture<PollResult> older = a.poll(bob.clientId(), bob.cursor() + 1, 30).toCompletableFuture();
        assertTrue(within(Nodes.WAIT_MILLIS, () -> a.stats().parkedPolls() == 1), "bob's first poll parked on a");

        long started = System.nanoTime();
        CompletionStage<PollResult> newer = b.poll(bob.clientId(), bob.cursor() + 1, 30);
        PollResult superseded = await(older);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertTrue(superseded.superseded());
        assertEquals(bob.cursor() + 1, superseded.cursor(), "the last acknowledged id");
        assertTrue(millis < 100, "superseded after " + millis + " ms");
        assertTrue(within(Nodes.WAIT_MILLIS, () -> b.stats().parkedPolls() == 1), "the newer poll stays parked on b");
        assertTrue(!newer.toCompletableFuture().isDone());
    }

    /**
     * A newer poll that acknowledges the event that woke the older one sends no supersede wake-up
     * (chat.lua's poll): the event's own wake-up must answer the older poll, however the two race.
     */
    @Test
    void aPollParkedOnOneNodeIsAnsweredWhenItsClientAlreadyPollsPastItsNewsOnAnother() throws Exception {
        JoinResult alice = join(a, "alice", "lobby");
        JoinResult bob = join(b, "bob", "lobby");
        long cursor = bob.cursor() + 1;
        for (int round = 0; round < 50; round++) {
            CompletableFuture<PollResult> older = a.poll(bob.clientId(), cursor, 30).toCompletableFuture();
            assertTrue(within(Nodes.WAIT_MILLIS, () -> a.stats().parkedPolls() == 1), "round " + round + ": parked on a");

            long id = await(b.send(alice.clientId(), "round " + round, null));
            CompletableFuture<PollResult> newer = b.poll(bob.clientId(), id, 30).toCompletableFuture();
            PollResult answered = older.get(Nodes.WAIT_MILLIS, TimeUnit.MILLISECONDS);

            assertTrue(answered.superseded() || answered.cursor() == id, "round " + round + ": the news, or superseded");
            assertTrue(within(Nodes.WAIT_MILLIS, () -> b.stats().parkedPolls() == 1), "round " + round + ": the newer poll parked on b");

            long next = await(a.send(alice.clientId(), "next " + round, null));
            assertEquals(next, newer.get(Nodes.WAIT_MILLIS, TimeUnit.MILLISECONDS).cursor(), "round " + round + ": the newer poll gets the next");
            cursor = next;
        }
    }

    @Test
    void aClientThatLeavesOnOneNodeHasItsPollOnAnotherAnsweredGone() throws Exception {
        JoinResult bob = join(a, "bob", "lobby");
        CompletionStage<PollResult> parked = a.poll(bob.clientId(), bob.cursor() + 1, 30);
        assertTrue(within(Nodes.WAIT_MILLIS, () -> a.stats().parkedPolls() == 1), "bob's poll parked on a");

        await(b.leave(bob.clientId(), 0));

        assertTrue(await(parked).gone(), "410 for the parked poll");
    }
}
