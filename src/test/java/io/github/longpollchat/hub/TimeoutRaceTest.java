package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
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
        try (MemoryHub hub = HubFixture.hub(); HubFixture.Racer racer = new HubFixture.Racer()) {
            HubFixture.Duo duo = HubFixture.Duo.join(hub);
            String reader = duo.reader().clientId();
            long cursor = duo.lastJoinId();
            int inAnswer = 0;
            List<HubFixture.Answers> all = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                HubFixture.Answers answers = new HubFixture.Answers();
                all.add(answers);
                assertNull(hub.poll(reader, cursor, 60, answers), "the mailbox was empty: it parks");
                ParkedPoll parked = hub.find(reader).mailbox.waiter();
                assertNotNull(parked);
                String text = "m" + round;
                var both = racer.race(
                        () -> {
                            hub.sweeper.timeOut(parked);
                            return null;
                        },
                        () -> hub.sendNow(duo.writer().clientId(), text, null));
                long id = both.second();
                PollResult answer = answers.awaitFirst(5000);
                assertNotNull(answer, "round " + round + ": the poll was never answered");
                assertEquals(1, answers.received.size(), "round " + round + ": answered more than once");
                List<Long> seen = HubFixture.ids(answer);
                if (seen.isEmpty()) {
                    // The timeout won: the message waits in the mailbox for the next poll.
                    seen = HubFixture.ids(hub.poll(reader, answer.cursor(), 0, r -> { }));
                } else {
                    inAnswer++;
                }
                assertEquals(List.of(id), seen, "round " + round);
                cursor = id;
            }
            // Checked at the end too, so that a second answer arriving late in a round is caught.
            assertTrue(all.stream().allMatch(a -> a.received.size() == 1), "every poll answered exactly once");
            assertTrue(inAnswer > 0 && inAnswer < ROUNDS,
                    inAnswer + " of " + ROUNDS + " answers held the message: the test needs both outcomes to have raced");
        }
    }
}
