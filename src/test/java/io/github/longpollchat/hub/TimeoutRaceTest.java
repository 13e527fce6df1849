package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A poll's timeout firing just as a message arrives: the poll is answered exactly once, and the
 * message reaches the client exactly once: in that answer, or else in the next poll.
 */
@Timeout(60)
class TimeoutRaceTest {
    private static final int ROUNDS = 2000;

    @Test
    void timeoutRacingAMessageAnswersOnceAndDeliversTheMessageOnce() throws Exception {
        try (Hub hub = HubFixture.hub()) {
            JoinResult reader = hub.join("reader", "race", null);
            JoinResult writer = hub.join("writer", "race", null);
            long cursor = writer.cursor() + 1;
            ExecutorService pool = Executors.newFixedThreadPool(2);
            int inAnswer = 0;
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    HubFixture.Answers answers = new HubFixture.Answers();
                    assertNull(hub.poll(reader.clientId(), cursor, 60, answers), "the mailbox was empty: it parks");
                    ParkedPoll parked = hub.find(reader.clientId()).mailbox.waiter();
                    assertNotNull(parked);
                    CyclicBarrier start = new CyclicBarrier(2);
                    int text = round;
                    Future<?> timeout = pool.submit(() -> {
                        start.await();
                        hub.expire(parked);
                        return null;
                    });
                    Future<Long> send = pool.submit(() -> {
                        start.await();
                        return hub.send(writer.clientId(), "m" + text, null);
                    });
                    long id = send.get();
                    timeout.get();
                    PollResult answer = answers.awaitFirst(5000);
                    assertNotNull(answer, "round " + round + ": the poll was never answered");
                    Thread.sleep(0, 1000);
                    assertEquals(1, answers.received.size(), "round " + round + ": answered more than once");
                    List<Long> seen = HubFixture.ids(answer);
                    if (seen.isEmpty()) {
                        // The timeout won: the message waits in the mailbox for the next poll.
                        PollResult next = hub.poll(reader.clientId(), answer.cursor(), 0, r -> { });
                        seen = HubFixture.ids(next);
                    } else {
                        inAnswer++;
                    }
                    assertEquals(List.of(id), seen, "round " + round);
                    cursor = id;
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(inAnswer > 0, "the race never let the message into the answer; the test did not race");
        }
    }
}
