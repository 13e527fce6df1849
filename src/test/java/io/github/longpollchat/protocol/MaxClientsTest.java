package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code 503 server_full} at 3 live clients. Each test ends every client it made. */
@Timeout(60)
class MaxClientsTest {
    private static final int MAX_CLIENTS = 3;

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.MAX_CLIENTS, MAX_CLIENTS);

    private final Api api = new Api(chat);
    private final List<Joined> made = new ArrayList<>();

    @AfterEach
    void endEveryClient() {
        made.forEach(client -> api.leave(client.clientId()));
    }

    private Joined join(String name, String room) {
        Joined joined = api.join(name, room);
        made.add(joined);
        return joined;
    }

    /** Fills the server: a, b and c in one room. */
    private Joined fill(String room) {
        join("a", room);
        join("b", room);
        return join("c", room);
    }

    @Test
    void joinPastMaxClientsIsServerFull() {
        String room = Unique.room();
        fill(room);
        assertError(api.joinReply("d", room), 503, "server_full");
        assertError(api.joinReply("d", Unique.room()), 503, "server_full");
    }

    @Test
    void refusedJoinWhenFullSendsNoEventAndAddsNoMember() {
        String room = Unique.room();
        Joined c = fill(room);
        Api.Inbox inbox = api.inbox(c);
        inbox.drain();
        long lastId = api.view(c).lastHistoryId();
        assertError(api.joinReply("d", room), 503, "server_full");
        assertEquals(List.of(), inbox.drain());
        Joined view = api.view(c);
        assertEquals(lastId, view.lastHistoryId());
        assertEquals(Set.of("a", "b", "c"), Set.copyOf(view.members()));
    }

    @Test
    void nameTakenOutranksServerFull() {
        String room = Unique.room();
        fill(room);
        assertError(api.joinReply("A", room), 409, "name_taken");
    }

    @Test
    void invalidJoinOutranksServerFull() {
        String room = Unique.room();
        fill(room);
        assertError(api.joinReply("d\u0000", room), 400, "invalid_name");
        assertError(api.joinReply("d", "bad room"), 400, "invalid_room");
    }

    @Test
    void leavingFreesAPlace() {
        String room = Unique.room();
        Joined c = fill(room);
        api.leave(c.clientId());
        made.remove(c);
        join("d", room);
    }

    @Test
    void resumeIsNoNewClientAndSucceedsWhenFull() {
        String room = Unique.room();
        Joined c = fill(room);
        assertEquals(c.clientId(), api.join("c", room, c.clientId()).clientId());
    }
}
