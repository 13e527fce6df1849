package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A message that arrives while a poll is between "mailbox empty" and "parked" must wake it: the
 * poll and the message race from a barrier, many times, and every poll is answered with the
 * message at once rather than at its 30 s timeout.
 */
@Timeout(60)
class LostWakeUpTest {
    private static final int ROUNDS = 2000;

    @Test
    void aMessageRacingThePollIsNeverLost() throws Exception {
        try (Hub hub = HubFixture.hub()) {
            JoinResult reader = hub.join("reader", "race", null);
            JoinResult writer = hub.join("writer", "race", null);
            long cursor = writer.cursor() + 1;
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    CyclicBarrier start = new CyclicBarrier(2);
                    int text = round;
                    HubFixture.Answers answers = new HubFixture.Answers();
                    long acked = cursor;
                    Future<PollResult> poll = pool.submit(() -> {
                        start.await();
                        return hub.poll(reader.clientId(), acked, 30, answers);
                    });
                    Future<Long> send = pool.submit(() -> {
                        start.await();
                        return hub.send(writer.clientId(), "m" + text, null);
                    });
                    long id = send.get();
                    PollResult now = poll.get();
                    PollResult result = now != null ? now : answers.awaitFirst(5000);
                    assertNotNull(result, "round " + round + ": the poll was not woken by the message");
                    assertEquals(java.util.List.of(id), HubFixture.ids(result), "round " + round);
                    cursor = id;
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
