package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.HubWatch;
import io.github.longpollchat.testing.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A client that expires gives its address's place back: one client per address, a client TTL of 1 s. */
@Timeout(60)
class AddressPlaceExpiryTest {
    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.MAX_CLIENTS_PER_ADDRESS, 1).and(Option.CLIENT_TTL, 1);

    private final Api api = new Api(chat);

    @Test
    void anExpiredClientsPlaceIsFreeAgain() throws InterruptedException {
        String room = Unique.room();
        api.join("idle", room);
        assertError(api.joinReply("next", room), 429, "too_many_clients");
        long start = System.nanoTime();
        long deadline = start + HubWatch.PATIENCE.toNanos();
        Reply reply = api.joinReply("next", room);
        while (reply.status() == 429 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            reply = api.joinReply("next", room);
        }
        assertEquals(200, reply.status(), reply::toString);
        assertTrue(System.nanoTime() - start >= 500_000_000L, "not before the idle client could expire");
        api.leave(reply.json().get("clientId").textValue());
    }
}
