package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two polls for one client at the same moment: one is superseded, the other gets the next message. */
@Timeout(60)
class SupersedeTest {
    private static final int ROUNDS = 1000;

    @Test
    void twoRacingPollsLeaveExactlyOneParked() throws Exception {
        try (MemoryHub hub = HubFixture.hub(); HubFixture.Racer racer = new HubFixture.Racer()) {
            HubFixture.Duo duo = HubFixture.Duo.join(hub);
            String reader = duo.reader().clientId();
            long cursor = duo.lastJoinId();
            for (int round = 0; round < ROUNDS; round++) {
                HubFixture.Answers first = new HubFixture.Answers();
                HubFixture.Answers second = new HubFixture.Answers();
                long acked = cursor;
                var both = racer.race(
                        () -> hub.poll(reader, acked, 60, first),
                        () -> hub.poll(reader, acked, 60, second));
                assertNull(both.first(), "an empty mailbox parks");
                assertNull(both.second(), "an empty mailbox parks");
                PollResult loser = awaitEither(first, second);
                assertNotNull(loser, "round " + round + ": neither poll was superseded");
                assertTrue(loser.superseded());
                assertEquals(acked, loser.cursor());
                HubFixture.Answers winner = first.received.isEmpty() ? first : second;

                long id = hub.sendNow(duo.writer().clientId(), "m" + round, null);
                PollResult delivered = winner.awaitFirst(5000);
                assertNotNull(delivered, "round " + round + ": the remaining poll missed the message");
                assertFalse(delivered.superseded());
                assertEquals(List.of(id), HubFixture.ids(delivered));
                assertEquals(1, first.received.size(), "each poll is answered exactly once");
                assertEquals(1, second.received.size(), "each poll is answered exactly once");
                cursor = id;
            }
        }
    }

    @Test
    void aPlainPollWithTimeoutZeroAlsoSupersedesTheParkedOne() throws Exception {
        try (MemoryHub hub = HubFixture.hub()) {
            HubFixture.Duo duo = HubFixture.Duo.join(hub);
            String reader = duo.reader().clientId();
            HubFixture.Answers parked = new HubFixture.Answers();
            assertNull(hub.poll(reader, duo.lastJoinId(), 60, parked));
            PollResult plain = hub.poll(reader, duo.lastJoinId(), 0, r -> { });
            assertFalse(plain.status(), "nothing new: the plain poll answers empty at once");
            PollResult older = parked.awaitFirst(5000);
            assertNotNull(older, "the parked poll was answered");
            assertTrue(older.superseded());
            assertEquals(0, hub.stats().parkedPolls());
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
