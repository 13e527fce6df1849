package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.HubWatch;
import io.github.longpollchat.testing.Reply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code POST /leave}: at once, after a grace period, or not at all when the client comes back. */
@Timeout(60)
class LeaveTest {
    @RegisterExtension
    static ChatTarget chat = ChatTarget.withDefaults();

    private final Api api = new Api(chat);

    @Test
    void leaveAnswers204WithNoBody() {
        Joined alice = api.join("alice", Unique.room());
        Reply reply = api.leaveReply(alice.clientId(), null);
        assertEquals(204, reply.status());
        assertTrue(reply.body().isEmpty());
    }

    @Test
    void leaveOfUnknownClientIs204() {
        assertEquals(204, api.leaveReply("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", null).status());
        assertEquals(204, api.leaveReply("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "5").status());
    }

    @Test
    void leavingTwiceIs204BothTimes() {
        Joined alice = api.join("alice", Unique.room());
        assertEquals(204, api.leaveReply(alice.clientId(), null).status());
        assertEquals(204, api.leaveReply(alice.clientId(), null).status());
    }

    @Test
    void leaveSendsALeaveEventToTheRoomAndEndsTheClientAtOnce() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        Api.Inbox bobs = api.inbox(bob);
        bobs.drain();
        api.leave(alice.clientId());
        List<JsonNode> mail = bobs.drain();
        assertEquals(1, mail.size(), mail::toString);
        JsonNode leave = mail.get(0);
        assertEquals("leave", leave.get("type").textValue());
        assertEquals("alice", leave.get("name").textValue());
        assertEquals(room, leave.get("room").textValue());
        assertEquals(bob.joinId() + 1, leave.get("id").longValue());
        assertNull(leave.get("text"));
        assertEquals(List.of("bob"), api.view(bob).members());
        assertError(api.pollReply(alice.clientId(), null, 0), 410, "unknown_client");
    }

    @Test
    void graceZeroOrEmptyLeavesAtOnce() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined carol = api.join("carol", room);
        assertEquals(204, api.leaveReply(alice.clientId(), "0").status());
        assertEquals(204, api.leaveReply(carol.clientId(), "").status());
        assertFalse(api.isLive(alice.clientId()));
        assertFalse(api.isLive(carol.clientId()));
    }

    @Test
    void leaveWithGraceLeavesAfterTheGrace() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        Api.Inbox bobs = api.inbox(bob);
        bobs.drain();
        long start = System.nanoTime();
        assertEquals(204, api.leaveReply(alice.clientId(), "1").status());
        assertTrue(api.view(bob).members().contains("alice"), "still a member during the grace");
        bobs.await(Api.leaveOf("alice"), HubWatch.PATIENCE);
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsed >= 900, "not before the grace ran out: " + elapsed);
        assertFalse(api.isLive(alice.clientId()));
    }

    @Test
    void pollWithinTheGraceKeepsTheClient() throws Exception {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        Api.Inbox bobs = api.inbox(bob);
        bobs.drain();
        assertEquals(204, api.leaveReply(alice.clientId(), "1").status());
        api.poll(alice.clientId(), alice.cursor(), 0);
        bobs.expectNone(Api.leaveOf("alice"), Duration.ofMillis(1_500));
        assertTrue(api.isLive(alice.clientId()));
        assertTrue(api.view(bob).members().contains("alice"));
    }

    @Test
    void resumeWithinTheGraceKeepsTheClient() throws Exception {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        Api.Inbox bobs = api.inbox(bob);
        bobs.drain();
        // A reload: the page leaves with a grace from pagehide, then resumes.
        assertEquals(204, api.post("leave", "application/x-www-form-urlencoded;charset=UTF-8",
                Api.utf8("clientId=" + alice.clientId() + "&grace=1")).status());
        assertEquals(alice.clientId(), api.join("alice", room, alice.clientId()).clientId());
        bobs.expectNone(Api.leaveOf("alice"), Duration.ofMillis(1_500));
        assertTrue(api.isLive(alice.clientId()));
    }

    @Test
    void parkedPollIsAnswered410WhenTheGraceRunsOut() throws Exception {
        Joined alice = api.join("alice", Unique.room());
        api.poll(alice.clientId(), alice.joinId(), 0);
        // Parked before the leave: coming after, it would be a request that cancels it.
        CompletableFuture<Reply> parked = api.parkedPoll(alice.clientId(), alice.joinId(), 30);
        assertEquals(204, api.leaveReply(alice.clientId(), "1").status());
        assertError(parked.get(10, TimeUnit.SECONDS), 410, "unknown_client");
    }

    @Test
    void graceLeaveIsNotCancelledByTheAnswerToAPollParkedBeforeIt() throws Exception {
        // A tab is closed while its poll is parked: the beacon's leave has a grace, and no request
        // of that client ever comes again. A message answering the old poll is no such request.
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        Api.Inbox bobs = api.inbox(bob);
        bobs.drain();
        api.poll(alice.clientId(), bob.joinId(), 0);
        CompletableFuture<Reply> parked = api.parkedPoll(alice.clientId(), bob.joinId(), 30);
        assertEquals(204, api.leaveReply(alice.clientId(), "1").status());
        api.send(bob.clientId(), "anyone there?");
        Checks.assertOk(parked.get(10, TimeUnit.SECONDS));
        bobs.await(Api.leaveOf("alice"), HubWatch.PATIENCE);
    }

    @Test
    void graceOf10IsAccepted() {
        Joined alice = api.join("alice", Unique.room());
        assertEquals(204, api.leaveReply(alice.clientId(), "10").status());
        assertTrue(api.isLive(alice.clientId()), "still there, and this request cancels the leave");
    }

    @Test
    void invalidGraceIsRefusedAndTheClientStays() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        for (String bad : List.of("11", "-1", "x", "1.5", "99999999999999999999", " 1")) {
            assertError(api.leaveReply(alice.clientId(), bad), 400, "invalid_grace");
        }
        String id = alice.clientId();
        for (String json : List.of("\"3\"", "3.5", "true", "-1", "11", "[1]", "{}")) {
            assertError(api.postJson("leave", "{\"clientId\":\"" + id + "\",\"grace\":" + json + "}"), 400, "invalid_grace");
        }
        assertTrue(api.isLive(alice.clientId()));
        assertTrue(api.view(alice).members().contains("alice"));
    }

    @Test
    void leaveTakesAJsonBody() {
        Joined alice = api.join("alice", Unique.room());
        Reply reply = api.postJson("leave", "{\"clientId\":\"" + alice.clientId() + "\",\"grace\":0}");
        assertEquals(204, reply.status());
        assertFalse(api.isLive(alice.clientId()));
    }

    @Test
    void absentOrEmptyClientIdIsMissingField() {
        assertError(api.postForm("leave", "grace", "0"), 400, "missing_field");
        assertError(api.postForm("leave", "clientId", ""), 400, "missing_field");
        assertError(api.postJson("leave", "{\"clientId\":null}"), 400, "missing_field");
    }

    @Test
    void getOfLeaveIsMethodNotAllowed() {
        Reply reply = api.get("leave");
        assertError(reply, 405, "method_not_allowed");
        assertTrue(reply.header("Allow").contains("POST"));
    }
}
