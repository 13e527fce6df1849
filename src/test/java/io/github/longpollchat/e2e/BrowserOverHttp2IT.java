package io.github.longpollchat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.longpollchat.launcher.ChatServer;
import io.github.longpollchat.testing.TestKeystore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The page in real Chromium over HTTPS with HTTP/2, from the jar given a keystore (the test's own,
 * made with keytool): the page and every request it makes go over HTTP/2, and two people chat as
 * over plain HTTP.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BrowserOverHttp2IT {
    @AutoClose("stop")
    private static ChatServer server;
    @AutoClose
    private static Browser alice;
    @AutoClose
    private static Browser bob;

    @BeforeAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    static void start() throws Exception {
        server = ChatServer.newServer(TestKeystore.settings(Map.of())).start();
        alice = Browser.startAcceptingTestCertificates("h2-alice");
        bob = Browser.startAcceptingTestCertificates("h2-bob");
    }

    @Test
    void twoUsersChatOverHttp2WithThePageAndItsPollsAndSendsAllOnHttp2() {
        List<Long> delays = Conversation.play(server.uri(), "h2", alice, bob);
        System.out.println("delivery times over HTTP/2 (ms): " + delays);

        for (Browser b : List.of(alice, bob)) {
            assertEquals("h2", b.driver().executeScript(
                    "return performance.getEntriesByType('navigation')[0].nextHopProtocol"), b.label() + "'s page");
            @SuppressWarnings("unchecked")
            List<String> requests = (List<String>) b.driver().executeScript(
                    "return performance.getEntriesByType('resource')"
                            + ".filter(e => e.initiatorType === 'xmlhttprequest' || e.initiatorType === 'fetch')"
                            + ".map(e => e.name.replace(/\\?.*/, '') + ' ' + e.nextHopProtocol)");
            assertFalse(requests.isEmpty(), b.label() + " made requests");
            for (String request : requests) {
                assertEquals("h2", request.substring(request.lastIndexOf(' ') + 1), b.label() + ": " + request);
            }
            System.out.println(b.label() + "'s requests: " + requests);
        }
    }
}
