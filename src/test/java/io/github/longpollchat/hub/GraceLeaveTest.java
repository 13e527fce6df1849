package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.longpollchat.testing.HubWatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A grace leave is cancelled by a request of the client, and by nothing else; one that comes as
 * the server stops is refused as {@code shutting_down}.
 */
@Timeout(30)
class GraceLeaveTest {
    @Test
    void aPollAnsweredDuringTheGracePeriodDoesNotCancelTheLeave() throws Exception {
        try (MemoryHub hub = HubFixture.hub()) {
            JoinResult closing = hub.joinNow("closing", "g", null, "127.0.0.1");
            JoinResult other = hub.joinNow("other", "g", null, "127.0.0.1");
            HubFixture.Answers answers = new HubFixture.Answers();
            // The closing tab's poll is still parked when its page sends the grace leave.
            assertNull(hub.poll(closing.clientId(), other.cursor() + 1, 60, answers));
            hub.leaveNow(closing.clientId(), 1);
            hub.sendNow(other.clientId(), "are you there?", null);
            assertNotNull(answers.awaitFirst(5000), "the message answered the parked poll");
            HubWatch.await("the closing client to leave after its grace period", () -> hub.stats().clients() <= 1);
            assertEquals(1, hub.stats().clients(), "the closing client left after its grace period");
            Refusal gone = assertThrows(Refusal.class, () -> hub.sendNow(closing.clientId(), "late", null));
            assertEquals(Reason.UNKNOWN_CLIENT, gone.reason());
        }
    }

    @Test
    void aRequestDuringTheGracePeriodCancelsTheLeave() {
        try (MemoryHub hub = HubFixture.unsweptHub()) {
            JoinResult reloading = hub.joinNow("reloading", "g", null, "127.0.0.1");
            hub.leaveNow(reloading.clientId(), 1);
            assertEquals(1, hub.stats().pendingLeaves(), "the leave waits out its grace");
            JoinResult resumed = hub.joinNow("reloading", "g", reloading.clientId(), "127.0.0.1");
            assertEquals(reloading.clientId(), resumed.clientId(), "resumed, not joined anew");
            assertEquals(0, hub.stats().pendingLeaves(), "the resume took the leave off the timer: it can never end the client");
            assertEquals(1, hub.stats().clients());
            hub.sendNow(reloading.clientId(), "back", null);
        }
    }

    @Test
    void aGraceLeaveAfterTheHubClosedIsRefusedAsShuttingDown() {
        // The servlet checks for shutdown first; a leave can still slip in just after the check.
        MemoryHub hub = HubFixture.hub();
        JoinResult late = hub.joinNow("late", "g", null, "127.0.0.1");
        hub.close();
        Refusal refused = assertThrows(Refusal.class, () -> hub.leaveNow(late.clientId(), 5));
        assertEquals(Reason.SHUTTING_DOWN, refused.reason());
    }

    @Test
    void repeatedGraceLeavesLeaveOneTimerTask() {
        try (MemoryHub hub = HubFixture.unsweptHub()) {
            JoinResult restless = hub.joinNow("restless", "g", null, "127.0.0.1");
            for (int i = 0; i < 1000; i++) {
                hub.leaveNow(restless.clientId(), 10);
            }
            assertEquals(1, hub.stats().pendingLeaves(), "each leave cancels the one before");
            hub.sendNow(restless.clientId(), "staying after all", null);
            assertEquals(0, hub.stats().pendingLeaves(), "a request cancels the pending leave's task");
        }
    }

    /**
     * A request racing a grace leave, also between the leave setting itself pending and its task
     * being scheduled: whichever comes first, a request after both leaves no leave behind.
     */
    @Test
    void aRequestRacingAGraceLeaveLeavesNoLeaveTaskBehind() throws Exception {
        try (MemoryHub hub = HubFixture.unsweptHub(); HubFixture.Racer racer = new HubFixture.Racer()) {
            JoinResult restless = hub.joinNow("restless", "g", null, "127.0.0.1");
            for (int round = 0; round < 2000; round++) {
                racer.race(() -> {
                    hub.leaveNow(restless.clientId(), 10);
                    return null;
                }, () -> hub.sendNow(restless.clientId(), "here", null));
                hub.sendNow(restless.clientId(), "still here", null);
                assertEquals(0, hub.stats().pendingLeaves(), "round " + round + ": a leave task outlived a later request");
            }
        }
    }
}
