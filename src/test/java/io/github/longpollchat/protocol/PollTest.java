package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.RawHttp;
import io.github.longpollchat.testing.Reply;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /get_msg}: acknowledging, batches, parking, superseding, lost answers and its errors. */
@Timeout(60)
class PollTest {
    /**
     * A pause in which a poll that should stay parked would show that it was answered, and a raw
     * poll usually reaches the server; no test's verdict depends on its length.
     */
    private static final long SETTLE_MILLIS = 300;

    @RegisterExtension
    static ChatTarget chat = ChatTarget.withDefaults();

    private final Api api = new Api(chat);

    @Test
    void pollWithMessagesAnswersStatusTrueAllOfThemOldestFirstAndCursorOfTheLast() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        long one = api.send(alice.clientId(), "one");
        long two = api.send(alice.clientId(), "two");
        JsonNode answer = api.poll(alice.clientId(), alice.cursor(), 0);
        assertEquals(Set.of("status", "messages", "cursor"), fields(answer));
        assertTrue(answer.get("status").booleanValue());
        assertEquals(List.of(alice.joinId(), one, two), ids(answer));
        assertEquals(two, answer.get("cursor").longValue());
    }

    @Test
    void pollIsAnsweredAtOnceWhenTheMailboxHoldsMessages() {
        Joined alice = api.join("alice", Unique.room());
        long start = System.nanoTime();
        JsonNode answer = api.poll(alice.clientId(), alice.cursor(), 30);
        assertTrue(answer.get("status").booleanValue());
        assertTrue(millisSince(start) < 5_000, "not parked while messages wait");
    }

    @Test
    void cursorAcknowledgesAndDropsEverythingUpToIt() {
        Joined alice = api.join("alice", Unique.room());
        long one = api.send(alice.clientId(), "one");
        long two = api.send(alice.clientId(), "two");
        long three = api.send(alice.clientId(), "three");
        assertEquals(List.of(two, three), ids(api.poll(alice.clientId(), one, 0)));
        assertEquals(List.of(three), ids(api.poll(alice.clientId(), two, 0)));
        assertEquals(List.of(three), ids(api.poll(alice.clientId(), null, 0)), "what was acknowledged is gone for good");
    }

    @Test
    void absentCursorAcknowledgesNothing() {
        Joined alice = api.join("alice", Unique.room());
        long one = api.send(alice.clientId(), "one");
        assertEquals(List.of(alice.joinId(), one), ids(api.poll(alice.clientId(), null, 0)));
        assertEquals(List.of(alice.joinId(), one), ids(api.poll(alice.clientId(), null, 0)));
    }

    @Test
    void emptyCursorIsTreatedAsAbsent() {
        Joined alice = api.join("alice", Unique.room());
        long one = api.send(alice.clientId(), "one");
        String path = "get_msg?clientId=" + alice.clientId() + "&cursor=&timeout=0";
        assertEquals(List.of(alice.joinId(), one), ids(okJson(api.get(path))));
        assertEquals(List.of(alice.joinId(), one), ids(okJson(api.get(path))));
    }

    @Test
    void cursorBelowTheLastAcknowledgedIdDropsNothing() {
        Joined alice = api.join("alice", Unique.room());
        long one = api.send(alice.clientId(), "one");
        long two = api.send(alice.clientId(), "two");
        api.poll(alice.clientId(), one, 0);
        assertEquals(List.of(two), ids(api.poll(alice.clientId(), 0L, 0)));
        assertEquals(List.of(two), ids(api.poll(alice.clientId(), alice.joinId(), 0)));
        api.poll(alice.clientId(), two, 0);
        JsonNode empty = api.poll(alice.clientId(), 0L, 0);
        assertFalse(empty.get("status").booleanValue());
        assertEquals(two, empty.get("cursor").longValue(), "the last acknowledged id, not the cursor sent");
    }

    @Test
    void cursorAboveEveryQueuedIdDropsThemAllAndTheLastAckBecomesTheNewestId() {
        Joined alice = api.join("alice", Unique.room());
        api.send(alice.clientId(), "one");
        long two = api.send(alice.clientId(), "two");
        JsonNode answer = api.poll(alice.clientId(), 1_000_000L, 0);
        assertFalse(answer.get("status").booleanValue());
        assertEquals(0, answer.get("messages").size());
        assertEquals(two, answer.get("cursor").longValue(), "the newest id put in the mailbox");
        long three = api.send(alice.clientId(), "three");
        JsonNode next = api.poll(alice.clientId(), answer.get("cursor").longValue(), 0);
        assertEquals(List.of(three), ids(next), "later messages are kept");
        assertEquals(two, api.join("alice", alice.room(), alice.clientId()).cursor(), "resume sees the same ack");
    }

    @Test
    void timeoutZeroAnswersAtOnceWithStatusFalseAndTheLastAcknowledgedCursor() {
        Joined alice = api.join("alice", Unique.room());
        api.poll(alice.clientId(), alice.joinId(), 0);
        long start = System.nanoTime();
        JsonNode answer = api.poll(alice.clientId(), alice.joinId(), 0);
        assertTrue(millisSince(start) < 2_000, "plain polling does not park");
        assertEquals(Set.of("status", "messages", "cursor"), fields(answer));
        assertFalse(answer.get("status").booleanValue());
        assertEquals(0, answer.get("messages").size());
        assertEquals(alice.joinId(), answer.get("cursor").longValue());
    }

    @Test
    void parkedPollTimesOutWithStatusFalseAndTheLastAcknowledgedCursor() {
        Joined alice = api.join("alice", Unique.room());
        long start = System.nanoTime();
        JsonNode answer = api.poll(alice.clientId(), alice.joinId(), 1);
        long elapsed = millisSince(start);
        assertTrue(elapsed >= 900 && elapsed < 5_000, "parked about a second: " + elapsed);
        assertEquals(Set.of("status", "messages", "cursor"), fields(answer));
        assertFalse(answer.get("status").booleanValue());
        assertEquals(alice.joinId(), answer.get("cursor").longValue());
    }

    @Test
    void parkedPollIsAnsweredAtOnceWhenAMessageArrives() throws Exception {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        api.inbox(alice).drain();
        CompletableFuture<Reply> parked = api.parkedPoll(alice.clientId(), bob.joinId(), 30);
        assertFalse(parked.isDone(), "parked while the mailbox is empty");
        long start = System.nanoTime();
        long id = api.send(bob.clientId(), "wake up");
        Reply reply = parked.get(10, TimeUnit.SECONDS);
        assertTrue(millisSince(start) < 5_000);
        JsonNode answer = okJson(reply);
        assertTrue(answer.get("status").booleanValue());
        assertEquals(List.of(id), ids(answer));
        assertEquals("wake up", answer.get("messages").get(0).get("text").textValue());
        assertEquals(id, answer.get("cursor").longValue());
    }

    @Test
    void secondPollSupersedesTheParkedOne() throws Exception {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        api.poll(alice.clientId(), bob.joinId(), 0);
        CompletableFuture<Reply> first = api.parkedPoll(alice.clientId(), bob.joinId(), 30);
        assertFalse(first.isDone());
        CompletableFuture<Reply> second = api.pollAsync(alice.clientId(), bob.joinId(), 30);
        JsonNode superseded = okJson(first.get(10, TimeUnit.SECONDS));
        assertEquals(Set.of("status", "messages", "cursor", "superseded"), fields(superseded));
        assertFalse(superseded.get("status").booleanValue());
        assertEquals(0, superseded.get("messages").size());
        assertEquals(bob.joinId(), superseded.get("cursor").longValue(), "the last acknowledged id");
        assertTrue(superseded.get("superseded").booleanValue());
        Thread.sleep(SETTLE_MILLIS);
        assertFalse(second.isDone(), "the newer poll proceeds, parked");
        long id = api.send(bob.clientId(), "for the newer poll");
        JsonNode answer = okJson(second.get(10, TimeUnit.SECONDS));
        assertEquals(List.of(id), ids(answer));
        assertFalse(answer.has("superseded"));
    }

    @Test
    void lostResponseIsDeliveredAgainToAPollWithTheOldCursor() throws Exception {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        long oldCursor = bob.joinId();
        api.poll(alice.clientId(), oldCursor, 0);
        String path = ChatClient.pollPath(alice.clientId(), oldCursor, 30);
        byte[] request = RawHttp.request(api.base(), "GET", path, List.of(), null);
        CompletableFuture<Void> lost = CompletableFuture.runAsync(() -> RawHttp.exchangeAndDiscard(api.base(), request));
        Thread.sleep(SETTLE_MILLIS);
        long one = api.send(bob.clientId(), "one");
        long two = api.send(bob.clientId(), "two");
        lost.get(10, TimeUnit.SECONDS);
        JsonNode again = api.poll(alice.clientId(), oldCursor, 0);
        assertTrue(again.get("status").booleanValue());
        assertEquals(List.of(one, two), ids(again), "nothing left the mailbox with the lost answer");
    }

    @Test
    void pollOfUnknownClientIs410() {
        assertError(api.pollReply("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", null, 0), 410, "unknown_client");
        assertError(api.pollReply("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 5L, 5), 410, "unknown_client");
    }

    @Test
    void pollAfterLeaveIs410() {
        Joined alice = api.join("alice", Unique.room());
        api.leave(alice.clientId());
        assertError(api.pollReply(alice.clientId(), alice.joinId(), 0), 410, "unknown_client");
    }

    @Test
    void parkedPollIsAnswered410WhenItsClientLeaves() throws Exception {
        Joined alice = api.join("alice", Unique.room());
        CompletableFuture<Reply> parked = api.parkedPoll(alice.clientId(), alice.joinId(), 30);
        assertFalse(parked.isDone());
        long start = System.nanoTime();
        api.leave(alice.clientId());
        assertError(parked.get(10, TimeUnit.SECONDS), 410, "unknown_client");
        assertTrue(millisSince(start) < 5_000, "answered at once");
    }

    // Query errors.

    @Test
    void absentOrEmptyClientIdIsMissingField() {
        assertError(api.get("get_msg"), 400, "missing_field");
        assertError(api.get("get_msg?cursor=1&timeout=0"), 400, "missing_field");
        assertError(api.get("get_msg?clientId=&timeout=0"), 400, "missing_field");
    }

    @Test
    void cursorThatIsNotAWholeNumberOfAtLeast0IsInvalidCursor() {
        Joined alice = api.join("alice", Unique.room());
        for (String bad : List.of("-1", "abc", "1.5", "1e3", "0x10", "%2B1", "99999999999999999999", "1%20", "%E2%82%AC")) {
            assertError(api.get("get_msg?clientId=" + alice.clientId() + "&timeout=0&cursor=" + bad), 400, "invalid_cursor");
        }
    }

    @Test
    void cursorGivenTwiceIsInvalidCursor() {
        Joined alice = api.join("alice", Unique.room());
        assertError(api.get("get_msg?clientId=" + alice.clientId() + "&cursor=1&cursor=1&timeout=0"), 400, "invalid_cursor");
    }

    @Test
    void timeoutThatIsNotAWholeNumberFrom0To60IsInvalidTimeout() {
        Joined alice = api.join("alice", Unique.room());
        for (String bad : List.of("61", "-1", "x", "1.5", "100000000000000000000", "%2B5")) {
            assertError(api.get("get_msg?clientId=" + alice.clientId() + "&timeout=" + bad), 400, "invalid_timeout");
        }
    }

    @Test
    void timeoutGivenTwiceIsInvalidTimeout() {
        Joined alice = api.join("alice", Unique.room());
        assertError(api.get("get_msg?clientId=" + alice.clientId() + "&timeout=0&timeout=0"), 400, "invalid_timeout");
    }

    @Test
    void clientIdGivenTwiceIsInvalidClientId() {
        Joined alice = api.join("alice", Unique.room());
        String id = alice.clientId();
        assertError(api.get("get_msg?clientId=" + id + "&clientId=" + id + "&timeout=0"), 400, "invalid_client_id");
    }

    @Test
    void badPercentEncodingInTheQueryIsInvalidForItsField() {
        Joined alice = api.join("alice", Unique.room());
        String id = alice.clientId();
        assertError(api.raw("GET", "get_msg?clientId=" + id + "&timeout=0&cursor=%zz", List.of(), null), 400, "invalid_cursor");
        assertError(api.raw("GET", "get_msg?clientId=" + id + "&timeout=%", List.of(), null), 400, "invalid_timeout");
        assertError(api.raw("GET", "get_msg?clientId=%ff" + id + "&timeout=0", List.of(), null), 400, "invalid_client_id");
    }

    @Test
    void unknownQueryParametersAreIgnored() {
        Joined alice = api.join("alice", Unique.room());
        JsonNode answer = okJson(api.get("get_msg?_=1764100000000&clientId=" + alice.clientId() + "&foo=bar&timeout=0"));
        assertEquals(List.of(alice.joinId()), ids(answer));
    }

    @Test
    void postToGetMsgIsMethodNotAllowed() {
        Joined alice = api.join("alice", Unique.room());
        Reply reply = api.postForm("get_msg", "clientId", alice.clientId());
        assertError(reply, 405, "method_not_allowed");
        assertTrue(reply.header("Allow").contains("GET"));
    }

    private static JsonNode okJson(Reply reply) {
        Checks.assertOk(reply);
        return reply.json();
    }

    private static List<Long> ids(JsonNode answer) {
        List<Long> ids = new ArrayList<>();
        answer.get("messages").forEach(m -> ids.add(m.get("id").longValue()));
        return ids;
    }

    private static Set<String> fields(JsonNode node) {
        Set<String> fields = new HashSet<>();
        node.fieldNames().forEachRemaining(fields::add);
        return fields;
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
