package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
        try (MemoryHub hub = HubFixture.hub(); HubFixture.Racer racer = new HubFixture.Racer()) {
            HubFixture.Duo duo = HubFixture.Duo.join(hub);
            long cursor = duo.lastJoinId();
            int woken = 0;
            for (int round = 0; round < ROUNDS; round++) {
                HubFixture.Answers answers = new HubFixture.Answers();
                long acked = cursor;
                String text = "m" + round;
                var both = racer.race(
                        () -> hub.poll(duo.reader().clientId(), acked, 30, answers),
                        () -> hub.sendNow(duo.writer().clientId(), text, null));
                long id = both.second();
                if (both.first() == null) {
                    woken++; // parked first, then the message woke it
                }
                PollResult result = both.first() != null ? both.first() : answers.awaitFirst(5000);
                assertNotNull(result, "round " + round + ": the poll was not woken by the message");
                assertEquals(List.of(id), HubFixture.ids(result), "round " + round);
                cursor = id;
            }
            assertTrue(woken > 0 && woken < ROUNDS,
                    woken + " of " + ROUNDS + " polls parked and were woken: the test needs both orders to have raced");
        }
    }
}
