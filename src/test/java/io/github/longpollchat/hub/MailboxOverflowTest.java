package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client whose mailbox overflows is evicted: its leave goes to the room and its next call gets
 * 410. (A parked poll cannot meet an overflow: a poll parks only on an empty mailbox, and the
 * first event answers it.)
 */
@Timeout(30)
class MailboxOverflowTest {
    @Test
    void oneEventMoreThanTheMailboxHoldsEvictsTheClient() {
        try (MemoryHub hub = HubFixture.hub(Option.MAILBOX, 3)) {
            JoinResult slow = hub.joinNow("slow", "r", null, "127.0.0.1");
            JoinResult fast = hub.joinNow("fast", "r", null, "127.0.0.1");
            // slow holds: its join, fast's join. Two more fill it; the third overflows it.
            hub.sendNow(fast.clientId(), "1", null);
            assertEquals(2, hub.stats().clients());
            hub.poll(fast.clientId(), Long.MAX_VALUE, 0, r -> { });
            hub.sendNow(fast.clientId(), "2", null);
            assertEquals(1, hub.stats().clients(), "the fourth event for a mailbox of three evicts");
            PollResult seen = hub.poll(fast.clientId(), fast.cursor() + 3, 0, r -> { });
            assertEquals(Event.LEAVE, seen.messages().get(seen.messages().size() - 1).event().type());
            assertEquals("slow", seen.messages().get(seen.messages().size() - 1).event().name());
            Refusal gone = assertThrows(Refusal.class, () -> hub.poll(slow.clientId(), -1, 0, r -> { }));
            assertEquals(Reason.UNKNOWN_CLIENT, gone.reason());
        }
    }

    @Test
    void aRoomWhereEveryMailboxIsFullEvictsEveryoneWithoutRecursingDeeply() {
        int clients = 3000;
        // A room that is not big: its joins and leaves are events of their own.
        try (MemoryHub hub = HubFixture.hub(Option.MAILBOX, clients + 1, Option.HISTORY, 10, Option.PRESENCE_LIMIT, clients)) {
            List<JoinResult> joined = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                joined.add(hub.joinNow("c" + i, "full", null, "127.0.0.1"));
            }
            // The first member holds all joins: clients events, one short of full. Two more sends
            // overflow it, and each leave then overflows the next: a cascade thousands long.
            JoinResult last = joined.get(clients - 1);
            hub.sendNow(last.clientId(), "fill", null);
            hub.sendNow(last.clientId(), "overflow", null);
            assertTrue(hub.stats().clients() < clients, "the cascade evicted members");
        }
    }
}
