package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Api.joinOf;
import static io.github.longpollchat.protocol.Api.leaveOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Big rooms (v1.1): past {@code presence-limit} members, joins and leaves are summed up in
 * {@code presence} events; {@code /join} answers {@code memberCount} and at most the limit of
 * names. Here the limit is 3.
 */
@Timeout(60)
class BigRoomTest {
    private static final int LIMIT = 3;
    /** A summary comes at most 3 s after the first change it sums up; a second more for the poll's way. */
    private static final Duration TOLD_WITHIN = Duration.ofSeconds(4);

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.PRESENCE_LIMIT, LIMIT);

    private final Api api = new Api(chat);

    @Test
    void aRoomAtTheLimitAnnouncesEveryJoinAsBefore() {
        String room = Unique.room();
        Joined ann = api.join("ann", room);
        api.join("bob", room);
        Joined cat = api.join("cat", room);
        assertEquals(3, cat.json().get("memberCount").intValue());
        assertEquals(List.of("ann", "bob", "cat"), cat.members());
        assertEquals(List.of("join ann", "join bob", "join cat"), lines(api.inbox(ann).drain()));
    }

    @Test
    void aJoinThatCrossesTheLimitIsSummedUpInAPresenceEventNotAJoinEvent() {
        String room = Unique.room();
        Joined ann = api.join("ann", room);
        api.join("bob", room);
        api.join("cat", room);
        Api.Inbox inbox = api.inbox(ann);
        inbox.drain();
        Joined dan = api.join("dan", room);
        assertEquals(4, dan.json().get("memberCount").intValue());
        assertEquals(LIMIT, dan.members().size(), "at most the limit of names: " + dan.members());
        assertTrue(dan.members().contains("dan"), "the new one among them: " + dan.members());
        JsonNode summary = inbox.await(presence(), TOLD_WITHIN);
        assertEquals(4, summary.get("count").intValue());
        assertEquals(List.of("dan"), texts(summary.get("joined")));
        assertEquals(List.of(), texts(summary.get("left")));
        assertEquals(0, summary.get("more").intValue());
        assertEquals(Set.of("id", "room", "type", "count", "joined", "left", "more", "ts"), fields(summary));
    }

    @Test
    void aClientJoiningABigRoomGetsNoJoinEventOfItsOwn() {
        String room = Unique.room();
        for (String name : List.of("ann", "bob", "cat")) {
            api.join(name, room);
        }
        Joined dan = api.join("dan", room);
        JsonNode first = api.poll(dan.clientId(), dan.cursor(), 5).get("messages").get(0);
        assertEquals(dan.cursor() + 1, first.get("id").longValue(), "its first poll returns the room's next event");
        assertEquals("presence", first.get("type").textValue(), first.toString());
    }

    @Test
    void aLeaveFromABigRoomIsSummedUpAndTheNextAtTheLimitIsALeaveEventAgain() throws Exception {
        String room = Unique.room();
        Joined ann = api.join("ann", room);
        Joined bob = api.join("bob", room);
        api.join("cat", room);
        Joined dan = api.join("dan", room);
        Api.Inbox inbox = api.inbox(ann);
        inbox.await(presence(), TOLD_WITHIN);
        api.leave(dan.clientId());
        JsonNode summary = inbox.await(presence(), TOLD_WITHIN);
        assertEquals(List.of("dan"), texts(summary.get("left")));
        assertEquals(3, summary.get("count").intValue());
        api.leave(bob.clientId());
        inbox.await(leaveOf("bob"), Duration.ofSeconds(2));
        inbox.expectNone(leaveOf("dan").or(joinOf("dan")), Duration.ofMillis(300));
    }

    @Test
    void aResumeInABigRoomAnswersTheCountAndAtMostTheLimitOfNamesWithItsOwn() {
        String room = Unique.room();
        Joined ann = api.join("ann", room);
        for (String name : List.of("bob", "cat", "dan", "eve")) {
            api.join(name, room);
        }
        Joined again = api.view(ann);
        assertEquals(5, again.json().get("memberCount").intValue());
        assertEquals(LIMIT, again.members().size(), again.members().toString());
        assertTrue(again.members().contains("ann"), again.members().toString());
    }

    private static Predicate<JsonNode> presence() {
        return m -> "presence".equals(m.path("type").asText());
    }

    private static List<String> lines(List<JsonNode> events) {
        return events.stream().map(m -> m.get("type").textValue() + " " + m.get("name").textValue()).toList();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.textValue()));
        return texts;
    }

    private static Set<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return Set.copyOf(names);
    }
}
