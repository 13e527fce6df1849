package io.github.longpollchat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.longpollchat.launcher.ChatServer;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.TestKeystore;
import java.net.http.HttpClient;
import java.util.ArrayList;
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

    /**
     * Over HTTP/1.1 a browser opens at most six connections to a server, so a seventh room's parked
     * poll would wait for one of the six to end; over HTTP/2 they are streams of one connection.
     */
    @Test
    void eightRoomsInOneBrowserHaveEightPollsParkedAtOnceAndEachShowsItsMessage() throws Exception {
        int rooms = 8;
        ChatServer own = ChatServer.newServer(TestKeystore.settings(Map.of())).start();
        ChatClient sender = new ChatClient(own.uri(), TestKeystore.client(HttpClient.Version.HTTP_2));
        try (Browser carol = Browser.startAcceptingTestCertificates("h2-carol")) {
            List<String> tabs = new ArrayList<>();
            for (int i = 0; i < rooms; i++) {
                tabs.add(i == 0 ? carol.handle() : carol.newTab());
                carol.openChat(own.uri(), "h2-room-" + i, "carol");
                carol.awaitConnected();
            }
            carol.await(Browser.WAIT, rooms + " polls parked on the server at once",
                    d -> own.hub().stats().parkedPolls() == rooms);
            for (int i = 0; i < rooms; i++) {
                String clientId = sender.join("dave", "h2-room-" + i).get("clientId").asText();
                assertEquals(200, sender.send(clientId, "to room " + i).status());
            }
            for (int i = 0; i < rooms; i++) {
                carol.switchTo(tabs.get(i));
                carol.awaitMessage("to room " + i);
            }
        } finally {
            own.stop();
        }
    }
}
