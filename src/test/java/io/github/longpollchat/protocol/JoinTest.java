package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.Reply;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code POST /join}: its answer, names, rooms, name clashes and resuming. */
@Timeout(60)
class JoinTest {
    @RegisterExtension
    static ChatTarget chat = ChatTarget.withDefaults();

    private final Api api = new Api(chat);

    // The answer.

    @Test
    void joinAnswersClientIdNameRoomCursorHistoryMembersMemberCountAndPollTimeout() {
        String room = Unique.room();
        Reply reply = api.joinReply("alice", room);
        Checks.assertOk(reply);
        JsonNode json = reply.json();
        Set<String> fields = new HashSet<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertEquals(Set.of("clientId", "name", "room", "cursor", "history", "members", "memberCount", "pollTimeoutMs"), fields);
        assertEquals(1, json.get("memberCount").intValue());
        assertTrue(json.get("clientId").isTextual());
        assertEquals("alice", json.get("name").textValue());
        assertEquals(room, json.get("room").textValue());
        assertTrue(json.get("cursor").isIntegralNumber());
        assertTrue(json.get("history").isArray());
        assertTrue(json.get("members").isArray());
        assertEquals(30_000, json.get("pollTimeoutMs").longValue(), "the default poll timeout, in ms");
    }

    @Test
    void clientIdIsAUrlSafeTokenOfAtLeast128BitsAndNeverRepeats() {
        String room = Unique.room();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String id = api.join("u" + i, room).clientId();
            assertTrue(id.matches("[A-Za-z0-9._~-]+"), "URL-safe: " + id);
            // 128 bits need at least 22 characters of a 64- or 66-letter URL-safe alphabet.
            assertTrue(id.length() >= 22, "at least 128 bits: " + id);
            ids.add(id);
        }
        assertEquals(30, ids.size(), "every client gets its own id");
    }

    @Test
    void roomDefaultsToLobby() {
        Joined joined = api.join("lobbyist" + Unique.room().hashCode(), null);
        assertEquals("lobby", joined.room());
        Joined me = api.view(joined);
        assertTrue(me.members().contains(joined.name()));
    }

    @Test
    void emptyRoomIsTreatedAsAbsentAndMeansLobby() {
        Reply reply = api.postForm("join", "name", "empty" + Unique.room().hashCode(), "room", "");
        Checks.assertOk(reply);
        assertEquals("lobby", reply.json().get("room").textValue());
    }

    @Test
    void newRoomStartsAtCursorZeroWithNoHistory() {
        Joined first = api.join("alice", Unique.room());
        assertEquals(0, first.cursor());
        assertEquals(0, first.history().size());
        assertEquals(List.of("alice"), first.members());
    }

    @Test
    void joinReturnsCursorOfNewestEventBeforeTheJoin() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        api.send(alice.clientId(), "one");
        long last = api.send(alice.clientId(), "two");
        Joined bob = api.join("bob", room);
        assertEquals(last, bob.cursor());
        assertEquals(3, bob.cursor(), "alice's join, two messages");
    }

    @Test
    void ownJoinEventIsIdCursorPlusOneAndFirstThingTheFirstPollReturns() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        api.send(alice.clientId(), "before bob");
        Joined bob = api.join("bob", room);
        JsonNode first = api.poll(bob.clientId(), null, 0);
        assertTrue(first.get("status").booleanValue());
        JsonNode own = first.get("messages").get(0);
        assertEquals(bob.cursor() + 1, own.get("id").longValue());
        assertEquals("join", own.get("type").textValue());
        assertEquals("bob", own.get("name").textValue());
        assertEquals(room, own.get("room").textValue());
        assertEquals(1, first.get("messages").size(), "nothing from before the join");
        // The same with the join's cursor, as the page sends it.
        JsonNode again = api.poll(bob.clientId(), bob.cursor(), 0);
        assertEquals(bob.joinId(), again.get("messages").get(0).get("id").longValue());
    }

    @Test
    void fromTheJoinEveryNewEventOfTheRoomGoesToTheMailbox() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        api.send(alice.clientId(), "before");
        Joined bob = api.join("bob", room);
        long after = api.send(alice.clientId(), "after");
        api.leave(alice.clientId());
        List<JsonNode> mail = api.inbox(bob).drain();
        assertEquals(3, mail.size(), mail::toString);
        assertEquals("join", mail.get(0).get("type").textValue());
        assertEquals(after, mail.get(1).get("id").longValue());
        assertEquals("after", mail.get(1).get("text").textValue());
        assertTrue(Api.leaveOf("alice").test(mail.get(2)));
    }

    @Test
    void historyHoldsTheRoomsEventsOfEveryTypeOldestFirst() {
        String room = Unique.room();
        long before = System.currentTimeMillis();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        api.send(alice.clientId(), "hi");
        api.leave(bob.clientId());
        Joined carol = api.join("carol", room);
        long after = System.currentTimeMillis();
        JsonNode history = carol.history();
        assertEquals(4, history.size(), history::toString);
        String[] types = {"join", "join", "message", "leave"};
        String[] names = {"alice", "bob", "alice", "bob"};
        for (int i = 0; i < 4; i++) {
            JsonNode event = history.get(i);
            assertEquals(i + 1, event.get("id").longValue(), "contiguous from 1, oldest first");
            assertEquals(room, event.get("room").textValue());
            assertEquals(types[i], event.get("type").textValue());
            assertEquals(names[i], event.get("name").textValue());
            long ts = event.get("ts").longValue();
            assertTrue(ts >= before - 1000 && ts <= after + 1000, "ts is epoch ms: " + ts);
            if (types[i].equals("message")) {
                assertEquals("hi", event.get("text").textValue());
            } else {
                assertNull(event.get("text"), "join and leave carry no text");
            }
        }
        assertEquals(carol.cursor(), carol.lastHistoryId(), "the history runs up to the cursor");
    }

    @Test
    void membersAreTheRoomsLiveClientsWithTheNewOneIncluded() {
        String room = Unique.room();
        api.join("alice", room);
        Joined bob = api.join("bob", room);
        Joined carol = api.join("carol", room);
        assertEquals(Set.of("alice", "bob", "carol"), Set.copyOf(carol.members()));
        api.leave(bob.clientId());
        Joined dave = api.join("dave", room);
        assertEquals(Set.of("alice", "carol", "dave"), Set.copyOf(dave.members()));
        assertEquals(3, dave.members().size());
    }

    // Names.

    @Test
    void nameIsStripped() {
        String room = Unique.room();
        Joined joined = api.join(" \t alice \n ", room);
        assertEquals("alice", joined.name());
        assertEquals(List.of("alice"), joined.members());
        assertEquals("alice", api.poll(joined.clientId(), null, 0).get("messages").get(0).get("name").textValue());
    }

    @Test
    void nameIsPutInNfc() {
        Joined joined = api.join("Re\u0301my", Unique.room());
        assertEquals("R\u00e9my", joined.name());
        assertEquals("R\u00e9my", api.poll(joined.clientId(), null, 0).get("messages").get(0).get("name").textValue());
    }

    @Test
    void nameMayHave32CodePointsWithAnEmojiCountingAsOne() {
        String room = Unique.room();
        String emoji = "\uD83D\uDE00";
        assertEquals(emoji.repeat(32), api.join(emoji.repeat(32), room).name());
        assertEquals("a".repeat(32), api.join("a".repeat(32), room).name());
    }

    @Test
    void nameOver32CodePointsIsInvalid() {
        String room = Unique.room();
        assertError(api.joinReply("\uD83D\uDE00".repeat(33), room), 400, "invalid_name");
        assertError(api.joinReply("a".repeat(33), room), 400, "invalid_name");
    }

    @Test
    void nameLengthIsCountedAfterStripAndNfc() {
        // 64 code points as sent, 32 once "e" + combining acute are composed.
        String decomposed = "e\u0301".repeat(32);
        Joined joined = api.join("  " + decomposed + "  ", Unique.room());
        assertEquals("\u00e9".repeat(32), joined.name());
    }

    @Test
    void nameWithControlCharacterIsInvalid() {
        String room = Unique.room();
        for (String bad : List.of("a\u0000b", "a\u0007b", "a\tb", "a\nb", "a\rb", "a\u001bb", "a\u007fb", "a\u0085b")) {
            assertError(api.joinReply(bad, room), 400, "invalid_name");
        }
    }

    @Test
    void nameWithLineOrParagraphSeparatorIsInvalid() {
        String room = Unique.room();
        assertError(api.joinReply("a\u2028b", room), 400, "invalid_name");
        assertError(api.joinReply("a\u2029b", room), 400, "invalid_name");
    }

    @Test
    void nameOfOnlyWhiteSpaceIsInvalid() {
        assertError(api.joinReply(" \t ", Unique.room()), 400, "invalid_name");
    }

    @Test
    void nameMayBeAnyOtherUnicode() {
        String room = Unique.room();
        for (String name : List.of("Zo\u00eb \uD83D\uDE00", "\u65e5\u672c\u8a9e", "\u0645\u0631\u062d\u0628\u0627",
                "a\u200bb", "<b>&amp;</b>", "\"quoted\" 'name'", "a\u00a0b")) {
            assertEquals(name, api.join(name, room).name());
        }
    }

    @Test
    void absentOrEmptyNameIsMissingField() {
        String room = Unique.room();
        assertError(api.postForm("join", "room", room), 400, "missing_field");
        assertError(api.postForm("join", "name", "", "room", room), 400, "missing_field");
    }

    // Name clashes.

    @Test
    void nameTakenInTheRoomIsRefusedCaseInsensitively() {
        String room = Unique.room();
        api.join("Alice", room);
        assertError(api.joinReply("alice", room), 409, "name_taken");
        assertError(api.joinReply("ALICE", room), 409, "name_taken");
        assertError(api.joinReply("Alice", room), 409, "name_taken");
    }

    @Test
    void nameClashComparesNfcForms() {
        String room = Unique.room();
        api.join("\u00c9mile", room);
        assertError(api.joinReply("E\u0301mile", room), 409, "name_taken");
        assertError(api.joinReply("e\u0301mile", room), 409, "name_taken");
        assertError(api.joinReply("\u00e9MILE", room), 409, "name_taken");
    }

    @Test
    void nameClashIsJudgedAfterStripping() {
        String room = Unique.room();
        api.join("alice", room);
        assertError(api.joinReply("  alice\t", room), 409, "name_taken");
    }

    @Test
    void sameNameInAnotherRoomIsFine() {
        api.join("alice", Unique.room());
        assertEquals("alice", api.join("alice", Unique.room()).name());
    }

    @Test
    void nameIsFreeAgainOnceItsClientLeft() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        api.leave(alice.clientId());
        Joined again = api.join("ALICE", room);
        assertNotEquals(alice.clientId(), again.clientId());
    }

    // Resume.

    @Test
    void resumeOfLiveClientMakesNoNewClientAndSendsNoEvent() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        Api.Inbox bobs = api.inbox(bob);
        bobs.drain();
        Joined resumed = api.join("alice", room, alice.clientId());
        assertEquals(alice.clientId(), resumed.clientId());
        assertEquals("alice", resumed.name());
        assertEquals(room, resumed.room());
        assertEquals(Set.of("alice", "bob"), Set.copyOf(resumed.members()));
        assertEquals(List.of(), bobs.drain(), "no event for a resume");
        long next = api.send(bob.clientId(), "next");
        assertEquals(bob.joinId() + 1, next, "no event took an id");
    }

    @Test
    void resumeAnswersCursorOfLastAcknowledgedIdWithCurrentHistoryAndMembers() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        long m1 = api.send(bob.clientId(), "one");
        long m2 = api.send(bob.clientId(), "two");
        // alice reads everything but acknowledges only up to m1.
        JsonNode batch = api.poll(alice.clientId(), null, 0);
        assertEquals(m2, batch.get("cursor").longValue());
        api.poll(alice.clientId(), m1, 0);
        api.leave(bob.clientId());
        Joined resumed = api.join("alice", room, alice.clientId());
        assertEquals(m1, resumed.cursor(), "the last acknowledged id");
        assertEquals(m2 + 1, resumed.lastHistoryId(), "the room's history as it is now");
        assertEquals(List.of("alice"), resumed.members());
    }

    @Test
    void resumeIgnoresTheNameField() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        api.join("bob", room);
        Joined asCarol = api.join("carol", room, alice.clientId());
        assertEquals(alice.clientId(), asCarol.clientId());
        assertEquals("alice", asCarol.name());
        // Even a name another member holds: no clash, for the name is not used.
        Joined asBob = api.join("bob", room, alice.clientId());
        assertEquals("alice", asBob.name());
        assertEquals(Set.of("alice", "bob"), Set.copyOf(asBob.members()));
    }

    @Test
    void joinWithClientIdOfAnotherRoomIsANewJoinAndTheOtherClientStaysLive() {
        String roomOne = Unique.room();
        String roomTwo = Unique.room();
        Joined alice = api.join("alice", roomOne);
        Joined watcher = api.join("watcher", roomOne);
        Api.Inbox watching = api.inbox(watcher);
        watching.drain();
        Joined other = api.join("alice", roomTwo, alice.clientId());
        assertNotEquals(alice.clientId(), other.clientId(), "a new client");
        assertEquals(roomTwo, other.room());
        assertEquals(0, other.cursor());
        JsonNode own = api.poll(other.clientId(), null, 0).get("messages").get(0);
        assertEquals("join", own.get("type").textValue(), "a new join sends its event");
        assertTrue(api.isLive(alice.clientId()), "the client of the other room stays as it is");
        assertEquals(Set.of("alice", "watcher"), Set.copyOf(api.view(watcher).members()));
        assertEquals(List.of(), watching.drain(), "no leave in the other room");
    }

    @Test
    void joinWithUnknownClientIdIsANewJoin() {
        String room = Unique.room();
        String unknown = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        Joined joined = api.join("alice", room, unknown);
        assertNotEquals(unknown, joined.clientId());
        assertEquals(0, joined.cursor());
        assertEquals(1, api.poll(joined.clientId(), null, 0).get("messages").get(0).get("id").longValue());
    }

    @Test
    void joinWithClientIdOfAClientThatLeftIsANewJoin() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        api.leave(alice.clientId());
        Joined again = api.join("alice", room, alice.clientId());
        assertNotEquals(alice.clientId(), again.clientId());
        assertEquals(2, again.cursor(), "after alice's join and leave");
        assertEquals("join", api.poll(again.clientId(), null, 0).get("messages").get(0).get("type").textValue());
    }

    // Rooms.

    @Test
    void roomOf1To32LettersDigitsUnderscoresAndDashesIsAccepted() {
        String base = Unique.room().replace("-", "_");
        String room = (base + "-xyzXYZ0123456789_abcdefghijklmnop").substring(0, 32);
        assertEquals(room, api.join("alice", room).room());
        assertEquals("Q", api.join("q" + room.hashCode(), "Q").room());
    }

    @Test
    void roomOver32CharactersIsInvalid() {
        assertError(api.joinReply("alice", "r".repeat(33)), 400, "invalid_room");
    }

    @Test
    void roomWithOtherCharactersIsInvalid() {
        for (String bad : List.of("a b", "a.b", "a/b", "caf\u00e9", "a+b", "a%b", "a~b", " lobby", "\uD83D\uDE00")) {
            assertError(api.joinReply("alice", bad), 400, "invalid_room");
        }
    }

    // Secrecy.

    @Test
    void clientIdNeverAppearsInWhatOtherClientsSee() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        api.send(alice.clientId(), "hello");
        List<String> seenByBob = new ArrayList<>();
        seenByBob.add(bob.json().toString());
        seenByBob.add(api.poll(bob.clientId(), null, 0).toString());
        seenByBob.add(api.joinReply("alice", room).body());
        seenByBob.add(api.sendReply(bob.clientId(), "").body());
        seenByBob.add(api.sendReply(bob.clientId(), "hi").body());
        seenByBob.add(api.view(bob).json().toString());
        api.leave(alice.clientId());
        Joined carol = api.join("carol", room);
        seenByBob.add(carol.json().toString());
        seenByBob.add(api.poll(carol.clientId(), null, 0).toString());
        seenByBob.add(api.poll(bob.clientId(), null, 0).toString());
        for (String seen : seenByBob) {
            assertFalse(seen.contains(alice.clientId()), "alice's id leaked: " + seen);
        }
        assertFalse(carol.json().toString().contains(bob.clientId()), "bob's id leaked to carol");
    }
}
