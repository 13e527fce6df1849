package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A sweep racing the message that wakes parked polls. A poll parked for longer than the client
 * TTL keeps its client alive; the message takes the poll out of the mailbox under the room's lock
 * and answers it after, and in between the client has no poll parked and an old "last seen". The
 * client must count as alive from the moment its poll is taken, or the sweep expires it and its
 * poll gets 410 instead of the message.
 */
@Timeout(60)
class WakeExpiryRaceTest {
    private static final int READERS = 2000;

    @Test
    void aPollWokenByAMessageIsAnsweredWithItEvenIfASweepRunsAtTheSameTime() throws Exception {
        try (MemoryHub hub = HubFixture.unsweptHub(Option.CLIENT_TTL, 1, Option.POLL_TIMEOUT, 60);
             HubFixture.Racer racer = new HubFixture.Racer()) {
            List<JoinResult> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                readers.add(hub.joinNow("r" + i, "wake", null, "127.0.0.1"));
            }
            JoinResult writer = hub.joinNow("writer", "wake", null, "127.0.0.1");
            long writerJoin = writer.cursor() + 1;
            List<HubFixture.Answers> answers = new ArrayList<>();
            for (JoinResult reader : readers) {
                HubFixture.Answers answer = new HubFixture.Answers();
                answers.add(answer);
                assertEquals(null, hub.poll(reader.clientId(), writerJoin, 60, answer), "parks: nothing queued");
            }
            Thread.sleep(1100); // every reader is past its TTL, alive only by its parked poll
            hub.poll(writer.clientId(), -1, 0, result -> { }); // the writer is a fresh request

            // Sweeps back to back while the send wakes the readers one by one (bounded: 2 s).
            racer.race(() -> hub.sendNow(writer.clientId(), "wake up", null), () -> {
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (answers.stream().anyMatch(answer -> answer.received.isEmpty()) && System.nanoTime() < deadline) {
                    hub.sweeper.sweep();
                }
                return null;
            });

            for (int i = 0; i < READERS; i++) {
                PollResult result = answers.get(i).awaitFirst(5000);
                assertNotNull(result, "reader " + i + " answered");
                assertFalse(result.gone(), "reader " + i + " was expired while its poll was being woken");
                assertTrue(result.status(), "reader " + i + " got the message");
            }
            assertEquals(READERS + 1, hub.stats().clients(), "no one expired");
        }
    }
}
