package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.Reply;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code POST /send_msg}: ids, the rules for text, and {@code msgId} idempotency. */
@Timeout(60)
class SendTest {
    @RegisterExtension
    static ChatTarget chat = ChatTarget.withDefaults();

    private final Api api = new Api(chat);

    @Test
    void sendAnswersStatusTrueAndTheMessagesId() {
        Joined alice = api.join("alice", Unique.room());
        Reply reply = api.sendReply(alice.clientId(), "hi");
        Checks.assertOk(reply);
        assertEquals(true, reply.json().get("status").booleanValue());
        assertEquals(alice.joinId() + 1, reply.json().get("id").longValue());
    }

    @Test
    void senderReceivesItsOwnMessageThroughGetMsg() {
        Joined alice = api.join("alice", Unique.room());
        long id = api.send(alice.clientId(), "hello");
        List<JsonNode> mail = api.inbox(alice).drain();
        JsonNode own = mail.get(mail.size() - 1);
        assertEquals(id, own.get("id").longValue());
        assertEquals("message", own.get("type").textValue());
        assertEquals("alice", own.get("name").textValue());
        assertEquals("hello", own.get("text").textValue());
        assertEquals(alice.room(), own.get("room").textValue());
        assertTrue(Math.abs(System.currentTimeMillis() - own.get("ts").longValue()) < 60_000);
    }

    @Test
    void idsAreContiguousWithinEachRoomStartingAt1() {
        String roomOne = Unique.room();
        String roomTwo = Unique.room();
        Joined a = api.join("a", roomOne);
        Joined b = api.join("b", roomTwo);
        assertEquals(1, a.joinId());
        assertEquals(1, b.joinId());
        for (int i = 0; i < 5; i++) {
            assertEquals(2 + i, api.send(a.clientId(), "a" + i));
            assertEquals(2 + i, api.send(b.clientId(), "b" + i));
        }
        Joined c = api.join("c", roomOne);
        assertEquals(6, c.cursor());
        api.leave(c.clientId());
        assertEquals(9, api.send(a.clientId(), "after c's join (7) and leave (8)"));
    }

    @Test
    void idsAreContiguousUnderConcurrentSendsAndEveryMemberSeesTheSameEventsInIdOrder() throws Exception {
        String room = Unique.room();
        List<Joined> members = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            members.add(api.join("m" + i, room));
        }
        long firstMessage = members.get(3).joinId() + 1;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Long> ids = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> sending = new ArrayList<>();
            for (Joined member : members) {
                sending.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        ids.add(api.send(member.clientId(), member.name() + "#" + i));
                    }
                }));
            }
            for (Future<?> f : sending) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Collections.sort(ids);
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(firstMessage + i, ids.get(i), "contiguous ids: " + ids);
        }
        List<String> reference = null;
        for (Joined member : members) {
            List<JsonNode> mail = api.inbox(member).drain();
            List<String> seen = new ArrayList<>();
            long expected = member.joinId();
            for (JsonNode event : mail) {
                assertEquals(expected++, event.get("id").longValue(), "in id order, none missing");
                if (event.get("id").longValue() >= firstMessage) {
                    seen.add(event.get("id") + ":" + event.get("name").textValue() + ":" + event.get("text").textValue());
                }
            }
            assertEquals(40, seen.size());
            if (reference == null) {
                reference = seen;
            } else {
                assertEquals(reference, seen, "every recipient gets the same id for the same event");
            }
        }
    }

    // Text.

    @Test
    void textIsStripped() {
        Joined alice = api.join("alice", Unique.room());
        api.send(alice.clientId(), " \t\r\n hello world \n\t ");
        assertEquals("hello world", lastText(alice));
    }

    @Test
    void crlfAndCrBecomeLf() {
        Joined alice = api.join("alice", Unique.room());
        api.send(alice.clientId(), "one\r\ntwo\rthree\nfour\r\n\r\nfive");
        assertEquals("one\ntwo\nthree\nfour\n\nfive", lastText(alice));
    }

    @Test
    void tabAndNewlineAreAllowedInText() {
        Joined alice = api.join("alice", Unique.room());
        api.send(alice.clientId(), "a\tb\nc");
        assertEquals("a\tb\nc", lastText(alice));
    }

    @Test
    void otherControlCharactersInTextAreInvalid() {
        Joined alice = api.join("alice", Unique.room());
        for (String bad : List.of("a\u0000b", "a\u0007b", "a\u000bb", "a\u000cb", "a\u001bb", "a\u007fb", "a\u0085b", "a\u009fb")) {
            assertError(api.sendReply(alice.clientId(), bad), 400, "invalid_text");
        }
        assertEquals(List.of(), messagesAfterJoin(alice), "no refused text was posted");
    }

    @Test
    void textMayBeAnyOtherUnicode() {
        Joined alice = api.join("alice", Unique.room());
        for (String text : List.of("\uD83D\uDE00\uD83D\uDC4D", "line\u2028sep\u2029para", "<script>alert(1)</script>",
                "\u05e9\u05dc\u05d5\u05dd", "zero\u200bwidth", "\"quotes\" & \\backslash")) {
            long id = api.send(alice.clientId(), text);
            JsonNode last = api.inbox(alice).drain().stream()
                    .filter(m -> m.get("id").longValue() == id).findFirst().orElseThrow();
            assertEquals(text, last.get("text").textValue());
        }
    }

    @Test
    void textOfOnlyWhiteSpaceIsInvalid() {
        Joined alice = api.join("alice", Unique.room());
        assertError(api.sendReply(alice.clientId(), " \r\n\t "), 400, "invalid_text");
    }

    @Test
    void textMayHaveMaxTextCodePointsWithAnEmojiCountingAsOne() {
        Joined alice = api.join("alice", Unique.room());
        String emoji = "\uD83D\uDE00";
        api.send(alice.clientId(), emoji.repeat(2000));
        assertEquals(emoji.repeat(2000), lastText(alice));
        api.send(alice.clientId(), "a".repeat(2000));
    }

    @Test
    void textOverMaxTextCodePointsIsInvalid() {
        Joined alice = api.join("alice", Unique.room());
        assertError(api.sendReply(alice.clientId(), "a".repeat(2001)), 400, "invalid_text");
        assertError(api.sendReply(alice.clientId(), "\uD83D\uDE00".repeat(2001)), 400, "invalid_text");
    }

    @Test
    void textLengthIsCountedAfterStripAndLineEndNormalisation() {
        Joined alice = api.join("alice", Unique.room());
        // 2998 characters as sent; 1999 once each CRLF is one LF.
        String text = "a\r\n".repeat(999) + "a";
        api.send(alice.clientId(), "   " + text + "   ");
        assertEquals("a\n".repeat(999) + "a", lastText(alice));
    }

    @Test
    void absentOrEmptyTextIsMissingField() {
        Joined alice = api.join("alice", Unique.room());
        assertError(api.postForm("send_msg", "clientId", alice.clientId()), 400, "missing_field");
        assertError(api.sendReply(alice.clientId(), ""), 400, "missing_field");
    }

    @Test
    void absentOrEmptyClientIdIsMissingField() {
        assertError(api.postForm("send_msg", "text", "hi"), 400, "missing_field");
        assertError(api.sendReply("", "hi"), 400, "missing_field");
    }

    @Test
    void sendOfUnknownClientIs410() {
        assertError(api.sendReply("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "hi"), 410, "unknown_client");
    }

    @Test
    void sendOfClientThatLeftIs410() {
        Joined alice = api.join("alice", Unique.room());
        api.leave(alice.clientId());
        assertError(api.sendReply(alice.clientId(), "hi"), 410, "unknown_client");
    }

    // msgId.

    @Test
    void repeatedMsgIdReturnsTheFirstResultAndMakesNoMessage() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Reply first = api.sendReply(alice.clientId(), "once", "k-1");
        Checks.assertOk(first);
        Reply again = api.sendReply(alice.clientId(), "once", "k-1");
        Reply otherText = api.sendReply(alice.clientId(), "a different text", "k-1");
        assertEquals(first.json(), again.json());
        assertEquals(first.json(), otherText.json(), "whatever its text");
        List<JsonNode> messages = messagesAfterJoin(alice);
        assertEquals(1, messages.size(), messages::toString);
        assertEquals("once", messages.get(0).get("text").textValue());
        assertEquals(first.json().get("id").longValue() + 1, api.send(alice.clientId(), "next"), "no id was taken");
    }

    @Test
    void msgIdKeysArePerClient() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        long fromAlice = api.sendReply(alice.clientId(), "a", "same").json().get("id").longValue();
        Reply fromBob = api.sendReply(bob.clientId(), "b", "same");
        Checks.assertOk(fromBob);
        assertEquals(fromAlice + 1, fromBob.json().get("id").longValue(), "bob's send is a new message");
    }

    @Test
    void differentMsgIdsMakeDifferentMessages() {
        Joined alice = api.join("alice", Unique.room());
        long one = api.sendReply(alice.clientId(), "x", "one").json().get("id").longValue();
        long two = api.sendReply(alice.clientId(), "x", "two").json().get("id").longValue();
        assertEquals(one + 1, two);
    }

    @Test
    void msgIdOf1To64LettersDigitsUnderscoresAndDashesIsAccepted() {
        Joined alice = api.join("alice", Unique.room());
        for (String msgId : List.of("a", "Z-9_", "x".repeat(64), "0123456789-_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY")) {
            Checks.assertOk(api.sendReply(alice.clientId(), "hi", msgId));
        }
    }

    @Test
    void invalidMsgIdIsRefused() {
        Joined alice = api.join("alice", Unique.room());
        for (String bad : List.of("x".repeat(65), "a b", "a.b", "caf\u00e9", "a/b", "a+b", "\uD83D\uDE00")) {
            assertError(api.sendReply(alice.clientId(), "hi", bad), 400, "invalid_msg_id");
        }
        assertEquals(List.of(), messagesAfterJoin(alice));
    }

    @Test
    void emptyMsgIdIsTreatedAsAbsent() {
        Joined alice = api.join("alice", Unique.room());
        long one = api.sendReply(alice.clientId(), "x", "").json().get("id").longValue();
        long two = api.sendReply(alice.clientId(), "x", "").json().get("id").longValue();
        assertEquals(one + 1, two, "no key, so two messages");
    }

    @Test
    void clientThatLeftAndJoinedAnewHasNoOldMsgIds() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        long first = api.sendReply(alice.clientId(), "x", "key").json().get("id").longValue();
        api.leave(alice.clientId());
        Joined again = api.join("alice", room);
        Reply reply = api.sendReply(again.clientId(), "x", "key");
        Checks.assertOk(reply);
        assertNotEquals(first, reply.json().get("id").longValue());
        assertEquals(again.joinId() + 1, reply.json().get("id").longValue());
    }

    private String lastText(Joined member) {
        List<JsonNode> mail = api.inbox(member).drain();
        return mail.get(mail.size() - 1).get("text").textValue();
    }

    /** The messages (type message) in a member's mailbox, read without acknowledging. */
    private List<JsonNode> messagesAfterJoin(Joined member) {
        List<JsonNode> messages = new ArrayList<>();
        api.poll(member.clientId(), null, 0).get("messages").forEach(m -> {
            if (m.get("type").textValue().equals("message")) {
                messages.add(m);
            }
        });
        return messages;
    }
}
