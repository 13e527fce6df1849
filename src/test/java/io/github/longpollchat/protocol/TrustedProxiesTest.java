package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static io.github.longpollchat.protocol.Checks.assertOk;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code trusted-proxies} = 127.0.0.1, where the test's requests come from (in the cluster, the
 * balancer's, which appends the test's 127.0.0.1 to {@code X-Forwarded-For} as nginx does): the
 * address that the forwarding header names is the one counted, one client per address, 3 in
 * all. Each test ends every client it made.
 */
@Timeout(60)
class TrustedProxiesTest {
    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.TRUSTED_PROXIES, "127.0.0.1")
            .and(Option.MAX_CLIENTS_PER_ADDRESS, 1).and(Option.MAX_CLIENTS, 3);

    private final Api api = new Api(chat);

    @RegisterExtension
    final Cast cast = new Cast(api);

    private Reply joinVia(String header, String name, String room) {
        return cast.joinReply(List.of(header), name, room);
    }

    @Test
    void differentForwardedAddressesCountApart() {
        String room = Unique.room();
        assertOk(joinVia("X-Forwarded-For: 203.0.113.1", "a", room));
        assertOk(joinVia("X-Forwarded-For: 203.0.113.2", "b", room));
        assertError(joinVia("X-Forwarded-For: 203.0.113.1", "c", room), 429, "too_many_clients");
    }

    @Test
    void addressesTheClientPrependsItselfDoNotEscapeTheCap() {
        String room = Unique.room();
        assertOk(joinVia("X-Forwarded-For: 6.6.6.6, 203.0.113.3", "a", room));
        assertError(joinVia("X-Forwarded-For: 7.7.7.7, 203.0.113.3", "b", room), 429, "too_many_clients");
    }

    @Test
    void garbageFromTheProxyCountsUnderTheProxysAddressNeverA500() {
        String room = Unique.room();
        assertOk(joinVia("X-Forwarded-For: not an address", "a", room));
        assertError(joinVia("X-Forwarded-For: unknown", "b", room), 429, "too_many_clients");
        assertError(api.joinReply("c", room), 429, "too_many_clients");
    }

    @Test
    void forwardedNamesTheClientWhenThereIsNoXForwardedFor() {
        assumeFalse(ChatTarget.target().equals("cluster"), "the cluster's balancer writes X-Forwarded-For, which wins");
        String room = Unique.room();
        assertOk(joinVia("Forwarded: for=\"[2001:db8::1]:4711\";proto=http", "a", room));
        assertError(joinVia("X-Forwarded-For: 2001:db8:0:0::1", "b", room), 429, "too_many_clients");
    }

    @Test
    void tooManyClientsOutranksServerFull() {
        String room = Unique.room();
        assertOk(joinVia("X-Forwarded-For: 198.51.100.1", "a", room));
        assertOk(joinVia("X-Forwarded-For: 198.51.100.2", "b", room));
        assertOk(joinVia("X-Forwarded-For: 198.51.100.3", "c", room));
        assertError(joinVia("X-Forwarded-For: 198.51.100.1", "d", room), 429, "too_many_clients");
        assertError(joinVia("X-Forwarded-For: 198.51.100.4", "d", room), 503, "server_full");
        assertError(joinVia("X-Forwarded-For: 198.51.100.1", "A", room), 409, "name_taken");
    }
}
