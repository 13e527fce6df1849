package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.RawHttp;
import io.github.longpollchat.testing.Reply;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code allowed-hosts}: a request whose {@code Host} names another host gets {@code 421
 * host_not_allowed} and changes nothing (the DNS rebinding of docs/security.md); the port is not
 * compared, nor the case of the name.
 */
@Timeout(60)
class AllowedHostsTest {
    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.ALLOWED_HOSTS, "chat.example,127.0.0.1,[::1]");

    private final Api api = new Api(chat);

    private static Reply request(String method, String path, String host, String form) {
        String body = form == null ? "" : form;
        String head = method + " " + chat.base().getRawPath() + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                + (form == null ? "" : "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n")
                + "Connection: close\r\n\r\n" + body;
        return RawHttp.exchange(chat.base(), head.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aJoinForAnotherHostIsRefusedAndJoinsNoOne() {
        assertError(request("POST", "join", "rebound.example", "name=mallory&room=hosts"), 421, "host_not_allowed");
        // The name is still free: the refused join made no client.
        assertEquals(200, request("POST", "join", "chat.example", "name=mallory&room=hosts").status());
    }

    @Test
    void thePageForAnotherHostIsRefused() {
        assertError(request("GET", "", "rebound.example:8080", null), 421, "host_not_allowed");
    }

    @Test
    void aPollForAnotherHostIsRefusedEvenWithALiveClient() {
        Joined ann = api.join("ann", "hosts-poll");
        assertError(request("GET", "get_msg?clientId=" + ann.clientId() + "&timeout=0", "rebound.example", null),
                421, "host_not_allowed");
    }

    @Test
    void anUnknownPathForAnotherHostIs421Not404() {
        assertError(request("GET", "no-such-path", "rebound.example", null), 421, "host_not_allowed");
    }

    @Test
    void theListedHostIsServedOnAnyPortInAnyCase() {
        assertEquals(200, request("GET", "", "CHAT.Example:9999", null).status());
        assertEquals(200, request("GET", "", "chat.example.", null).status());
        assertEquals(200, request("GET", "", "[::1]:8080", null).status());
    }
}
