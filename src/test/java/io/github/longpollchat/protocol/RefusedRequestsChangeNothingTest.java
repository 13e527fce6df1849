package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Api.utf8;
import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * "No refused request changes any state", seen through the protocol: a watcher's view of the room
 * (members, newest id, its mailbox) and alice's own state (her queued events, her acknowledged
 * cursor, her being live) are the same after every kind of refused request. The server holds 3
 * clients at most and lets each send 2 messages per 10 s, so that it can refuse those too.
 */
@Timeout(60)
class RefusedRequestsChangeNothingTest {
    private static final String FORM = "application/x-www-form-urlencoded";

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.RATE_LIMIT, 2).and(Option.MAX_CLIENTS, 3);

    private final Api api = new Api(chat);
    private String room;
    private Joined watcher;
    private Joined alice;
    private Joined bob;
    private Api.Inbox watching;
    private Snapshot before;

    /** What the refused requests must leave as it was. */
    record Snapshot(Set<String> members, long lastId, List<Long> aliceQueued, long aliceAcked) {
    }

    @BeforeEach
    void fillTheRoom() {
        room = Unique.room();
        watcher = api.join("watcher", room);
        alice = api.join("alice", room);
        bob = api.join("bob", room);
        api.poll(alice.clientId(), alice.joinId(), 0);
        api.send(alice.clientId(), "one");
        api.send(alice.clientId(), "two");
        assertError(api.sendReply(alice.clientId(), "three"), 429, "rate_limited");
        assertError(api.joinReply("carol", room), 503, "server_full");
        watching = api.inbox(watcher);
        watching.drain();
        before = snapshot();
    }

    @AfterEach
    void endEveryClient() {
        for (Joined client : List.of(watcher, alice, bob)) {
            api.leave(client.clientId());
        }
    }

    private Snapshot snapshot() {
        Joined view = api.view(watcher);
        List<Long> queued = new ArrayList<>();
        api.poll(alice.clientId(), null, 0).get("messages").forEach(m -> queued.add(m.get("id").longValue()));
        long acked = api.join("alice", room, alice.clientId()).cursor();
        return new Snapshot(Set.copyOf(view.members()), view.lastHistoryId(), queued, acked);
    }

    private void assertNothingChanged() {
        assertEquals(List.of(), watching.drain(), "no event went out");
        assertEquals(before, snapshot());
        assertTrue(api.isLive(alice.clientId()));
        assertEquals(before.lastId() + 1, api.send(bob.clientId(), "next"), "no id was used");
    }

    @Test
    void refusedJoinsChangeNothing() {
        assertError(api.joinReply("ALICE", room), 409, "name_taken");
        assertError(api.joinReply("carol\u0000", room), 400, "invalid_name");
        assertError(api.joinReply("carol", room + "!"), 400, "invalid_room");
        assertError(api.joinReply("carol", room), 503, "server_full");
        assertError(api.joinReply("carol", Unique.room()), 503, "server_full");
        assertError(api.joinReply("alice", room + "?", alice.clientId()), 400, "invalid_room");
        assertError(api.postJson("join", "{\"name\":\"carol\",\"name\":\"dave\",\"room\":\"" + room + "\"}"), 400, "malformed_body");
        assertError(api.post("join", "text/plain", utf8("name=carol&room=" + room)), 415, "unsupported_media_type");
        assertNothingChanged();
    }

    @Test
    void refusedSendsChangeNothing() {
        String id = alice.clientId();
        assertError(api.sendReply(id, "over the rate"), 429, "rate_limited");
        assertError(api.sendReply(id, "over the rate", "k-refused"), 429, "rate_limited");
        assertError(api.sendReply(id, "bad\u0001"), 400, "invalid_text");
        assertError(api.sendReply(id, "x".repeat(2001)), 400, "invalid_text");
        assertError(api.sendReply(id, "fine", "bad key!"), 400, "invalid_msg_id");
        assertError(api.sendReply(bob.clientId(), "bad\u0001", "k-bob"), 400, "invalid_text");
        assertError(api.sendReply("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "who?"), 410, "unknown_client");
        assertError(api.post("send_msg", FORM, utf8("clientId=" + id + "&text=a&text=b")), 400, "malformed_body");
        assertError(api.post("send_msg", "text/plain", utf8("clientId=" + id + "&text=a")), 415, "unsupported_media_type");
        assertError(api.sendLarge("POST", "send_msg", FORM, utf8("clientId=" + id + "&text=" + "x".repeat(70_000)), false), 413, "body_too_large");
        assertError(api.method("PUT", "send_msg"), 405, "method_not_allowed");
        assertNothingChanged();
        Reply keyed = api.sendReply(bob.clientId(), "now valid", "k-bob");
        Checks.assertOk(keyed);
        assertEquals(before.lastId() + 2, keyed.json().get("id").longValue(), "the refused send left no key behind");
    }

    @Test
    void refusedPollsAcknowledgeNothing() {
        String id = alice.clientId();
        assertError(api.get("get_msg?clientId=" + id + "&cursor=1000000&timeout=61"), 400, "invalid_timeout");
        assertError(api.get("get_msg?clientId=" + id + "&cursor=1000000&timeout=x"), 400, "invalid_timeout");
        assertError(api.get("get_msg?clientId=" + id + "&cursor=1000000&cursor=1000000&timeout=0"), 400, "invalid_cursor");
        assertError(api.get("get_msg?clientId=" + id + "&clientId=" + id + "&cursor=1000000&timeout=0"), 400, "invalid_client_id");
        assertError(api.postForm("get_msg", "clientId", id, "cursor", "1000000"), 405, "method_not_allowed");
        assertNothingChanged();
    }

    @Test
    void refusedLeavesEndNoOne() {
        String id = alice.clientId();
        assertError(api.leaveReply(id, "11"), 400, "invalid_grace");
        assertError(api.leaveReply(id, "-1"), 400, "invalid_grace");
        assertError(api.postJson("leave", "{\"clientId\":\"" + id + "\",\"grace\":\"0\"}"), 400, "invalid_grace");
        assertError(api.post("leave", FORM, utf8("clientId=" + id + "&clientId=" + id)), 400, "malformed_body");
        assertError(api.post("leave", "text/plain", utf8("clientId=" + id)), 415, "unsupported_media_type");
        assertError(api.sendLarge("POST", "leave", FORM, utf8("clientId=" + id + "&pad=" + "x".repeat(70_000)), true), 413, "body_too_large");
        assertError(api.get("leave?clientId=" + id), 405, "method_not_allowed");
        assertNothingChanged();
    }

    @Test
    void refusedRequestsOfTheWatcherSeeNoQueuedEventLost() {
        // The watcher's own refused poll with a high cursor must not drop what waits for it.
        long id = api.send(bob.clientId(), "for the watcher");
        assertError(api.get("get_msg?clientId=" + watcher.clientId() + "&cursor=" + (id + 5) + "&timeout=-1"), 400, "invalid_timeout");
        List<JsonNode> mail = watching.drain();
        assertEquals(1, mail.size());
        assertEquals(id, mail.get(0).get("id").longValue());
    }
}
