package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How a parked poll's end and its client's end meet. */
@Timeout(60)
class PollEndRaceTest {
    private static final int ROUNDS = 500;

    @Test
    void aPollRacingItsClientsLeaveIsAnsweredOnceWith410() throws Exception {
        try (MemoryHub hub = HubFixture.hub(); HubFixture.Racer racer = new HubFixture.Racer()) {
            int leaveFirst = 0;
            List<HubFixture.Answers> all = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                JoinResult client = hub.joinNow("c" + round, "end", null, "127.0.0.1");
                HubFixture.Answers answers = new HubFixture.Answers();
                all.add(answers);
                var both = racer.race(() -> {
                    try {
                        return hub.poll(client.clientId(), client.cursor() + 1, 60, answers);
                    } catch (Refusal refusal) {
                        assertEquals(Reason.UNKNOWN_CLIENT, refusal.reason());
                        return PollResult.GONE;
                    }
                }, () -> {
                    hub.leaveNow(client.clientId(), 0);
                    return null;
                });
                // Either the leave came first (410 at once), or the poll parked and the leave answered it
                // with 410: never a poll left parked on a closed mailbox, never two answers.
                PollResult result = both.first() != null ? both.first() : answers.awaitFirst(5000);
                assertNotNull(result, "round " + round + ": the parked poll was never answered");
                assertTrue(result.gone(), "round " + round + ": " + result);
                if (both.first() != null) {
                    leaveFirst++;
                }
            }
            assertTrue(all.stream().allMatch(a -> a.received.size() <= 1), "a poll answered twice");
            assertTrue(leaveFirst > 0 && leaveFirst < ROUNDS, leaveFirst + " of " + ROUNDS
                    + " polls came after the leave: the test needs both orders to have raced");
        }
    }

    @Test
    void aTimedOutPollNoLongerKeepsItsClientAlive() throws Exception {
        try (MemoryHub hub = HubFixture.unsweptHub(Option.CLIENT_TTL, 1)) {
            JoinResult client = hub.joinNow("sleepy", "end", null, "127.0.0.1");
            HubFixture.Answers answers = new HubFixture.Answers();
            assertEquals(null, hub.poll(client.clientId(), client.cursor() + 1, 60, answers));
            hub.sweeper.timeOut(hub.find(client.clientId()).mailbox.waiter());
            PollResult answer = answers.awaitFirst(1000);
            assertNotNull(answer, "the timeout answered the poll");
            assertEquals(0, hub.stats().parkedPolls(), "the timed-out poll left the mailbox");
            Thread.sleep(1100);
            hub.sweeper.sweep();
            assertEquals(0, hub.stats().clients(), "with no poll parked and nothing heard for the TTL, it expired");
        }
    }
}
