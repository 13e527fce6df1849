package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.HubWatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The memory engine's {@code max-clients-per-address}: every way a client ends gives its place
 * back, and an address is held only while it has live clients; racing joins never pass the cap.
 */
@Timeout(30)
class AddressCapTest {
    private static final String HOME = "192.0.2.1";

    private static void assertFull(MemoryHub hub, String address) {
        Refusal refused = assertThrows(Refusal.class, () -> hub.joinNow("one-more", "cap", null, address));
        assertEquals(Reason.TOO_MANY_CLIENTS, refused.reason());
    }

    @Test
    void leavingGivesThePlaceBack() {
        try (MemoryHub hub = HubFixture.hub(Option.MAX_CLIENTS_PER_ADDRESS, 1)) {
            JoinResult ann = hub.joinNow("ann", "cap", null, HOME);
            assertFull(hub, HOME);
            hub.leaveNow(ann.clientId(), 0);
            assertEquals(0, hub.addressSlots.addresses(), "the address is forgotten with its last client");
            hub.joinNow("bob", "cap", null, HOME);
        }
    }

    @Test
    void aGraceLeaveGivesThePlaceBackWhenItRuns() throws InterruptedException {
        try (MemoryHub hub = HubFixture.hub(Option.MAX_CLIENTS_PER_ADDRESS, 1)) {
            JoinResult ann = hub.joinNow("ann", "cap", null, HOME);
            hub.leaveNow(ann.clientId(), 1);
            assertFull(hub, HOME);
            HubWatch.await("the grace leave to run", () -> hub.stats().clients() == 0);
            assertEquals(0, hub.addressSlots.addresses());
            hub.joinNow("bob", "cap", null, HOME);
        }
    }

    @Test
    void expiryGivesThePlaceBack() throws InterruptedException {
        try (MemoryHub hub = HubFixture.unsweptHub(Option.MAX_CLIENTS_PER_ADDRESS, 1, Option.CLIENT_TTL, 1)) {
            hub.joinNow("ann", "cap", null, HOME);
            Thread.sleep(1100);
            hub.sweeper.sweep();
            assertEquals(0, hub.stats().clients(), "expired");
            assertEquals(0, hub.addressSlots.addresses());
            hub.joinNow("bob", "cap", null, HOME);
        }
    }

    @Test
    void evictionGivesThePlaceBack() {
        try (MemoryHub hub = HubFixture.hub(Option.MAX_CLIENTS_PER_ADDRESS, 1, Option.MAILBOX, 3)) {
            hub.joinNow("slow", "cap", null, HOME);
            JoinResult talker = hub.joinNow("talker", "cap", null, "192.0.2.2");
            for (int i = 0; i < 3; i++) {
                hub.sendNow(talker.clientId(), "message " + i, null);
                hub.poll(talker.clientId(), Long.MAX_VALUE, 0, answer -> { });
            }
            assertEquals(1, hub.stats().clients(), "the slow client was evicted, the talker kept up");
            hub.joinNow("bob", "cap", null, HOME);
        }
    }

    @Test
    void aRefusedJoinHoldsNoPlace() {
        try (MemoryHub hub = HubFixture.hub(Option.MAX_CLIENTS_PER_ADDRESS, 1, Option.MAX_CLIENTS, 1)) {
            JoinResult ann = hub.joinNow("ann", "cap", null, "192.0.2.2");
            Refusal full = assertThrows(Refusal.class, () -> hub.joinNow("bob", "cap", null, HOME));
            assertEquals(Reason.SERVER_FULL, full.reason());
            Refusal taken = assertThrows(Refusal.class, () -> hub.joinNow("ANN", "cap", null, HOME));
            assertEquals(Reason.NAME_TAKEN, taken.reason());
            assertEquals(1, hub.addressSlots.addresses(), "only ann's address is held");
            hub.leaveNow(ann.clientId(), 0);
            hub.joinNow("bob", "cap", null, HOME);
        }
    }

    @Test
    void withoutACapNoAddressIsHeld() {
        try (MemoryHub hub = HubFixture.hub()) {
            for (int i = 0; i < 5; i++) {
                hub.joinNow("c" + i, "cap", null, HOME);
            }
            assertEquals(0, hub.addressSlots.addresses());
        }
    }

    @Test
    void racingJoinsFromOneAddressNeverPassTheCap() throws Exception {
        int cap = 3;
        try (MemoryHub hub = HubFixture.hub(Option.MAX_CLIENTS_PER_ADDRESS, cap)) {
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                AtomicInteger admitted = new AtomicInteger();
                List<Future<?>> joins = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    String name = "c" + i;
                    joins.add(threads.submit(() -> {
                        try {
                            hub.joinNow(name, "race-" + (name.hashCode() % 4), null, HOME);
                            admitted.incrementAndGet();
                        } catch (Refusal refused) {
                            assertEquals(Reason.TOO_MANY_CLIENTS, refused.reason());
                        }
                    }));
                }
                for (Future<?> join : joins) {
                    join.get(10, TimeUnit.SECONDS);
                }
                assertEquals(cap, admitted.get());
                assertEquals(cap, hub.stats().clients());
            } finally {
                threads.shutdownNow();
            }
        }
    }
}
