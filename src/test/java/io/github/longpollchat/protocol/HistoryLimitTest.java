package io.github.longpollchat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The history a {@code /join} returns holds the room's last {@code history} (here 3) events. */
@Timeout(60)
class HistoryLimitTest {
    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.HISTORY, 3);

    private final Api api = new Api(chat);

    @Test
    void joinReturnsOnlyTheLastHistoryEventsOldestFirst() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        for (int i = 0; i < 5; i++) {
            api.send(alice.clientId(), "m" + i);
        }
        Joined bob = api.join("bob", room);
        assertEquals(6, bob.cursor());
        assertEquals(3, bob.history().size());
        for (int i = 0; i < 3; i++) {
            assertEquals(4 + i, bob.history().get(i).get("id").longValue());
        }
        assertEquals("m4", bob.history().get(2).get("text").textValue());
    }

    @Test
    void resumeReturnsTheLastHistoryEventsIncludingJoinsAndLeaves() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        api.send(alice.clientId(), "hello");
        Joined bob = api.join("bob", room);
        api.leave(bob.clientId());
        Joined view = api.view(alice);
        assertEquals(3, view.history().size());
        assertEquals("message", view.history().get(0).get("type").textValue());
        assertEquals("join", view.history().get(1).get("type").textValue());
        assertEquals("leave", view.history().get(2).get("type").textValue());
    }
}
