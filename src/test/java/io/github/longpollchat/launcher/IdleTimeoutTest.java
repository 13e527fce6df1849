package io.github.longpollchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.Reply;
import io.github.longpollchat.testing.TestKeystore;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Idle timeouts: no parked poll is ever cut by one (a parked poll's connection waits longer than
 * any poll; over HTTP/2, where other requests share it, Jetty does not end a waiting stream), while
 * a connection that dribbles its request is cut after a short one.
 */
@Timeout(60)
class IdleTimeoutTest {
    @Test
    void aPollParkedLongerThanTheRequestIdleTimeoutAndTheAsyncTimeoutEndsWithItsJsonAnswer() throws Exception {
        // Past the request idle timeout (10 s), and past the container's default async timeout
        // (30 s), which would cut a parked poll with an empty answer were it not turned off.
        int pollSeconds = Math.max((int) (ChatServer.REQUEST_IDLE_MILLIS / 1000), 30) + 2;
        ChatServer server = ChatServer.newServer(Settings.defaults()
                .with(Option.PORT, 0).with(Option.HOST, "127.0.0.1").with(Option.POLL_TIMEOUT, pollSeconds)).start();
        try {
            ChatClient chat = new ChatClient(URI.create("http://127.0.0.1:" + server.port() + "/"));
            JsonNode joined = chat.join("waiter", "idle");
            long cursor = joined.get("cursor").asLong() + 1;
            long start = System.nanoTime();
            Reply reply = chat.poll(joined.get("clientId").asText(), cursor, null);
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, reply.status());
            assertFalse(reply.json().get("status").asBoolean());
            assertTrue(waitedMillis >= pollSeconds * 1000L - 100, "parked for the whole poll timeout: " + waitedMillis + " ms");
        } finally {
            server.stop();
        }
    }

    @Test
    void aPollParkedOverHttp2OutlastsTheRequestIdleTimeoutThoughOtherRequestsShareItsConnection() throws Exception {
        // Over HTTP/2 a send from another tab rides the poll's connection, and the poll's own stream
        // has the short idle timeout: neither may cut the poll.
        int pollSeconds = (int) (ChatServer.REQUEST_IDLE_MILLIS / 1000) + 3;
        ChatServer server = ChatServer.newServer(TestKeystore.settings(Map.of(Option.POLL_TIMEOUT, String.valueOf(pollSeconds))))
                .start();
        try {
            ChatClient chat = new ChatClient(server.uri(), TestKeystore.client(HttpClient.Version.HTTP_2));
            JsonNode joined = chat.join("waiter", "idle-h2");
            JsonNode other = chat.join("talker", "idle-h2-elsewhere");
            long start = System.nanoTime();
            CompletableFuture<Reply> poll = chat.pollAsync(joined.get("clientId").asText(), joined.get("cursor").asLong() + 1, null);
            Thread.sleep(1000);
            assertEquals(200, chat.send(other.get("clientId").asText(), "another tab's message").status());

            Reply reply = poll.get(pollSeconds + 10, TimeUnit.SECONDS);
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, reply.status(), reply.toString());
            assertFalse(reply.json().get("status").asBoolean(), reply.toString());
            assertTrue(waitedMillis >= pollSeconds * 1000L - 100, "parked for the whole poll timeout: " + waitedMillis + " ms");
        } finally {
            server.stop();
        }
    }

    @Test
    void aClientThatSendsItsHeadersTooSlowlyIsCutOffAfterTheRequestIdleTimeout() throws Exception {
        ChatServer server = ChatServer.newServer(Settings.defaults()
                .with(Option.PORT, 0).with(Option.HOST, "127.0.0.1")).start();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) ChatServer.REQUEST_IDLE_MILLIS * 3);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            byte[] rest = socket.getInputStream().readAllBytes(); // returns once the server closes
            long closedAfterMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(closedAfterMillis >= ChatServer.REQUEST_IDLE_MILLIS - 1000
                    && closedAfterMillis < ChatServer.REQUEST_IDLE_MILLIS + 3000,
                    "closed after " + closedAfterMillis + " ms, not at the request idle timeout");
            assertTrue(rest.length == 0 || new String(rest, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 4"),
                    "either closed, or answered with a 4xx: " + new String(rest, StandardCharsets.US_ASCII));
        } finally {
            server.stop();
        }
    }
}
