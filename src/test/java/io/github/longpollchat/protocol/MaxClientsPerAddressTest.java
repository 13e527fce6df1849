package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code 429 too_many_clients} past 2 live clients from one address, with no trusted proxy: every
 * request of the test comes from 127.0.0.1 (in the cluster, from the balancer's 127.0.0.1), and
 * no header can make it another address. Each test ends every client it made.
 */
@Timeout(60)
class MaxClientsPerAddressTest {
    private static final int PER_ADDRESS = 2;

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.MAX_CLIENTS_PER_ADDRESS, PER_ADDRESS).and(Option.MAX_CLIENTS, 10);

    private final Api api = new Api(chat);

    @RegisterExtension
    final Cast cast = new Cast(api);

    /** Fills this address's places with a and b, in one room; returns b. */
    private Joined fill(String room) {
        cast.join("a", room);
        return cast.join("b", room);
    }

    @Test
    void joinPastTheCapIsTooManyClientsInAnyRoom() {
        String room = Unique.room();
        fill(room);
        assertError(api.joinReply("c", room), 429, "too_many_clients");
        assertError(api.joinReply("c", Unique.room()), 429, "too_many_clients");
    }

    @Test
    void refusedJoinSendsNoEventAndAddsNoMember() {
        cast.assertJoinRefusedChangingNothing(fill(Unique.room()), "c", 429, "too_many_clients");
    }

    @Test
    void nameTakenOutranksTooManyClients() {
        String room = Unique.room();
        fill(room);
        assertError(api.joinReply("A", room), 409, "name_taken");
    }

    @Test
    void invalidJoinOutranksTooManyClients() {
        String room = Unique.room();
        fill(room);
        assertError(api.joinReply("c\u0000", room), 400, "invalid_name");
    }

    @Test
    void leavingFreesAPlace() {
        String room = Unique.room();
        cast.leave(fill(room));
        cast.join("c", room);
    }

    @Test
    void resumeIsNoNewClientAndSucceedsAtTheCap() {
        String room = Unique.room();
        Joined b = fill(room);
        assertEquals(b.clientId(), api.join("b", room, b.clientId()).clientId());
    }

    @Test
    void aSpoofedXForwardedForFromAnUntrustedAddressDoesNotEscapeTheCap() {
        String room = Unique.room();
        fill(room);
        assertError(api.joinReply(List.of("X-Forwarded-For: 203.0.113.7"), "c", room), 429, "too_many_clients");
    }

    @Test
    void aSpoofedForwardedFromAnUntrustedAddressDoesNotEscapeTheCap() {
        String room = Unique.room();
        fill(room);
        assertError(api.joinReply(List.of("Forwarded: for=203.0.113.7"), "c", room), 429, "too_many_clients");
    }
}
