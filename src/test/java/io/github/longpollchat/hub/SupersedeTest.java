package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two polls for one client at the same moment: one is superseded, the other gets the next message. */
@Timeout(60)
class SupersedeTest {
    private static final int ROUNDS = 1000;

    @Test
    void twoRacingPollsLeaveExactlyOneParked() throws Exception {
        try (Hub hub = HubFixture.hub()) {
            JoinResult reader = hub.join("reader", "race", null);
            JoinResult writer = hub.join("writer", "race", null);
            long cursor = writer.cursor() + 1;
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    CyclicBarrier start = new CyclicBarrier(2);
                    HubFixture.Answers first = new HubFixture.Answers();
                    HubFixture.Answers second = new HubFixture.Answers();
                    long acked = cursor;
                    Future<PollResult> a = pool.submit(() -> {
                        start.await();
                        return hub.poll(reader.clientId(), acked, 60, first);
                    });
                    Future<PollResult> b = pool.submit(() -> {
                        start.await();
                        return hub.poll(reader.clientId(), acked, 60, second);
                    });
                    assertEquals(null, a.get());
                    assertEquals(null, b.get());
                    PollResult loser = awaitEither(first, second);
                    assertNotNull(loser, "round " + round + ": neither poll was superseded");
                    assertTrue(loser.superseded());
                    assertEquals(acked, loser.cursor());
                    HubFixture.Answers winner = first.received.isEmpty() ? first : second;

                    long id = hub.send(writer.clientId(), "m" + round, null);
                    PollResult delivered = winner.awaitFirst(5000);
                    assertNotNull(delivered, "round " + round + ": the remaining poll missed the message");
                    assertFalse(delivered.superseded());
                    assertEquals(List.of(id), HubFixture.ids(delivered));
                    assertEquals(1, first.received.size(), "each poll is answered exactly once");
                    assertEquals(1, second.received.size(), "each poll is answered exactly once");
                    cursor = id;
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static PollResult awaitEither(HubFixture.Answers one, HubFixture.Answers other) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!one.received.isEmpty()) {
                return one.received.get(0);
            }
            if (!other.received.isEmpty()) {
                return other.received.get(0);
            }
            Thread.sleep(1);
        }
        return null;
    }
}
