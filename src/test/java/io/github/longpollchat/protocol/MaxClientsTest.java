package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
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

    @RegisterExtension
    final Cast cast = new Cast(api);

    /** Fills the server: a, b and c in one room. */
    private Joined fill(String room) {
        cast.join("a", room);
        cast.join("b", room);
        return cast.join("c", room);
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
        cast.assertJoinRefusedChangingNothing(fill(Unique.room()), "d", 503, "server_full");
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
        cast.leave(fill(room));
        cast.join("d", room);
    }

    @Test
    void resumeIsNoNewClientAndSucceedsWhenFull() {
        String room = Unique.room();
        Joined c = fill(room);
        assertEquals(c.clientId(), api.join("c", room, c.clientId()).clientId());
    }
}
