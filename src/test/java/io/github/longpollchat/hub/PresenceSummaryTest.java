package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Big rooms: past the presence limit, joins and leaves of every kind are summed up in presence
 * events instead of being events of their own. The sweeps are the test's own, so that it knows
 * exactly which changes each summary sums up.
 */
@Timeout(60)
class PresenceSummaryTest {
    private static final long GAP_MILLIS = TimeUnit.SECONDS.toMillis(Presence.GAP_SECONDS);

    @Test
    void aStormOfJoinsIsSummedUpInEventsAtLeastTwoSecondsApartWhoseCountsAddUp() throws Exception {
        int limit = 5;
        int joins = 240;
        try (MemoryHub hub = HubFixture.unsweptHub(Option.PRESENCE_LIMIT, limit)) {
            Reader observer = new Reader(hub, hub.joinNow("observer", "storm", null, "127.0.0.1"));
            List<String> untold = new ArrayList<>();
            long firstUntoldAt = 0;
            List<Event> summaries = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int joined = 0;
            while ((joined < joins || !untold.isEmpty()) && System.nanoTime() < deadline) {
                if (joined < joins) {
                    // 240 joins over some 6 s: enough for three summaries or more.
                    for (int i = 0; i < 2 && joined < joins; i++, joined++) {
                        hub.joinNow("u" + joined, "storm", null, "127.0.0.1");
                        if (joined + 2 > limit) { // the observer and u0..u3 fill the room; then it is big
                            if (untold.isEmpty()) {
                                firstUntoldAt = System.nanoTime();
                            }
                            untold.add("u" + joined);
                        }
                    }
                }
                hub.sweeper.sweep();
                for (Event event : observer.read()) {
                    if (event.type().equals(Event.JOIN)) {
                        // The room is not big until it has more than the limit.
                        assertTrue(List.of("observer", "u0", "u1", "u2", "u3").contains(event.name()), "a join past the limit: " + event);
                        continue;
                    }
                    assertEquals(Event.PRESENCE, event.type(), event.toString());
                    long late = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstUntoldAt);
                    assertTrue(late <= 3000, "told " + late + " ms after the first change it sums up");
                    assertEquals(untold.subList(0, Math.min(Presence.NAMED, untold.size())), event.joined());
                    assertEquals(List.of(), event.left());
                    assertEquals(Math.max(0, untold.size() - Presence.NAMED), event.more());
                    assertEquals(1 + joined, event.count(), "the room's members when it was posted");
                    summaries.add(event);
                    untold.clear();
                }
                Thread.sleep(50);
            }
            assertTrue(untold.isEmpty(), "every join was told");
            assertTrue(summaries.size() >= 3, "a storm of some 6 s is summed up in 3 events or more: " + summaries.size());
            int told = 0;
            for (int i = 0; i < summaries.size(); i++) {
                Event summary = summaries.get(i);
                told += summary.joined().size() + summary.more();
                if (i > 0) {
                    long gap = summary.ts() - summaries.get(i - 1).ts();
                    assertTrue(gap >= GAP_MILLIS, "summaries " + gap + " ms apart");
                }
            }
            assertEquals(joins + 1 - limit, told, "the summaries' counts add up to the joins past the limit");
        }
    }

    @Test
    void aJoinThatCrossesTheLimitIsNoEventAndTheJoinerGetsNoJoinOfItsOwn() {
        try (MemoryHub hub = HubFixture.unsweptHub(Option.PRESENCE_LIMIT, 2)) {
            Reader ann = new Reader(hub, hub.joinNow("ann", "r", null, "127.0.0.1"));
            hub.joinNow("bob", "r", null, "127.0.0.1");
            JoinResult cat = hub.joinNow("cat", "r", null, "127.0.0.1");
            Reader catReader = new Reader(hub, cat);
            assertEquals(3, cat.memberCount());
            assertEquals(List.of("ann", "cat"), cat.members(), "at most the limit of names, the new one among them");
            assertEquals(List.of("join ann", "join bob"), lines(ann.read()), "bob's join, at the limit, is an event; cat's is not");
            assertEquals(List.of(), catReader.read(), "no join of its own");
            hub.sweeper.sweep();
            Event summary = only(ann.read());
            assertEquals(List.of("cat"), summary.joined());
            assertEquals(3, summary.count());
            assertEquals(summary, only(catReader.read()), "cat's first event is the room's next");
        }
    }

    @Test
    void aLeaveFromABigRoomIsSummedUpAndOneBackAtTheLimitIsAnEventAgain() {
        try (MemoryHub hub = HubFixture.unsweptHub(Option.PRESENCE_LIMIT, 2)) {
            Reader ann = new Reader(hub, hub.joinNow("ann", "r", null, "127.0.0.1"));
            JoinResult bob = hub.joinNow("bob", "r", null, "127.0.0.1");
            JoinResult cat = hub.joinNow("cat", "r", null, "127.0.0.1");
            hub.sweeper.sweep();
            ann.read();
            hub.leaveNow(cat.clientId(), 0);
            assertEquals(List.of(), ann.read(), "leaving a room of 3 over a limit of 2 is no event");
            hub.leaveNow(bob.clientId(), 0);
            Event leave = only(ann.read());
            assertEquals(Event.LEAVE, leave.type(), "the room was at the limit: a leave event as ever");
            assertEquals("bob", leave.name());
        }
    }

    @Test
    void anExpiryInABigRoomIsSummedUpNotALeaveEvent() throws Exception {
        try (MemoryHub hub = HubFixture.unsweptHub(Option.PRESENCE_LIMIT, 2, Option.CLIENT_TTL, 1)) {
            Reader ann = new Reader(hub, hub.joinNow("ann", "r", null, "127.0.0.1"));
            Reader bob = new Reader(hub, hub.joinNow("bob", "r", null, "127.0.0.1"));
            hub.joinNow("cat", "r", null, "127.0.0.1");
            Thread.sleep(1100);
            ann.read(); // a request: ann and bob stay alive, cat does not
            bob.read();
            hub.sweeper.sweep();
            assertEquals(2, hub.stats().clients(), "cat expired");
            Event summary = only(ann.read());
            assertEquals(Event.PRESENCE, summary.type());
            assertEquals(List.of("cat"), summary.joined());
            assertEquals(List.of("cat"), summary.left());
            assertEquals(2, summary.count());
        }
    }

    @Test
    void anEvictionInABigRoomIsSummedUpNotALeaveEvent() {
        try (MemoryHub hub = HubFixture.unsweptHub(Option.PRESENCE_LIMIT, 2, Option.MAILBOX, 3)) {
            JoinResult ann = hub.joinNow("ann", "r", null, "127.0.0.1");
            Reader bob = new Reader(hub, hub.joinNow("bob", "r", null, "127.0.0.1"));
            Reader cat = new Reader(hub, hub.joinNow("cat", "r", null, "127.0.0.1"));
            // ann never reads: its join of bob and two messages fill it, the third overflows it.
            for (int i = 1; i <= 3; i++) {
                hub.sendNow(bob.joined.clientId(), "m" + i, null);
                bob.read();
                cat.read();
            }
            assertEquals(2, hub.stats().clients(), "ann was evicted");
            assertNull(hub.find(ann.clientId()));
            assertEquals(List.of(), cat.read(), "no leave event for ann");
            hub.sweeper.sweep();
            Event summary = only(cat.read());
            assertEquals(List.of("cat"), summary.joined());
            assertEquals(List.of("ann"), summary.left());
            assertEquals(2, summary.count());
        }
    }

    private static Event only(List<Event> events) {
        assertEquals(1, events.size(), () -> "one event: " + events);
        return events.get(0);
    }

    private static List<String> lines(List<Event> events) {
        return events.stream().map(event -> event.type() + " " + event.name()).toList();
    }

    /** A member that reads its mailbox with plain polls, acknowledging all it has read. */
    private static final class Reader {
        final MemoryHub hub;
        final JoinResult joined;
        long cursor;

        Reader(MemoryHub hub, JoinResult joined) {
            this.hub = hub;
            this.joined = joined;
            this.cursor = joined.cursor();
        }

        List<Event> read() {
            PollResult result = hub.poll(joined.clientId(), cursor, 0, r -> { });
            cursor = result.cursor();
            return result.messages().stream().map(PostedEvent::event).toList();
        }
    }
}
