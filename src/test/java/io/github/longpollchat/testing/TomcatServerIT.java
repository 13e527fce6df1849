package io.github.longpollchat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TomcatServer} end to end against the Tomcat in {@code chat.tomcat.home} (11 in the
 * {@code integration} execution): a non-default init-parameter reaches the app, unknown paths get
 * the JSON 404, a parked poll is answered {@code status: false} when Tomcat is stopped (protocol
 * "Shutdown"), and a webapp that fails to start fails {@link TomcatServer#start()} fast, with the log.
 */
class TomcatServerIT {
    private TomcatServer tomcat;

    @BeforeEach
    void needTomcat() {
        assumeFalse(Boolean.getBoolean("chat.skipTomcat"), "skipTomcat");
    }

    @AfterEach
    void stopTomcat() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
        }
    }

    @Test
    void deploysWithInitParametersAnswersJson404AndEndsParkedPollsOnStop() throws Exception {
        tomcat = TomcatServer.fromProperties(Map.of("poll-timeout", "7"), "TomcatServerIT").start();
        assertTrue(tomcat.base().toString().matches("http://127\\.0\\.0\\.1:\\d+/longpoll-chat/"), tomcat.base().toString());
        ChatClient client = new ChatClient(tomcat.base());

        // Only our app, and only HTTP on 127.0.0.1 without a shutdown port.
        String serverXml = Files.readString(tomcat.catalinaBase().resolve("conf/server.xml"), StandardCharsets.UTF_8)
                .replaceAll("(?s)<!--.*?-->", "");
        assertTrue(serverXml.contains("<Server port=\"-1\""), serverXml);
        assertFalse(serverXml.contains("AJP"), serverXml);
        assertEquals(1, serverXml.split("<Connector").length - 1, serverXml);
        assertTrue(serverXml.contains("address=\"127.0.0.1\""), serverXml);
        assertEquals(404, client.get("/").status(), "nothing is deployed at the root context");

        Reply joined = client.postForm("join", "name", "alice", "room", "tomcat");
        assertEquals(200, joined.status(), joined.toString());
        assertEquals(7000, joined.json().get("pollTimeoutMs").asInt(), joined.toString());

        Reply missing = client.get("nope");
        assertEquals(404, missing.status(), missing.toString());
        assertTrue(missing.header("Content-Type").startsWith("application/json"), missing.header("Content-Type"));
        assertEquals("not_found", missing.error(), missing.toString());

        String clientId = joined.json().get("clientId").asText();
        long cursor = joined.json().get("cursor").asLong();
        Reply own = client.poll(clientId, cursor, null);
        assertEquals(200, own.status(), own.toString());
        assertEquals("join", own.json().get("messages").get(0).get("type").asText(), own.toString());
        long next = own.json().get("cursor").asLong();

        long parkedAt = System.nanoTime();
        CompletableFuture<Reply> parked = client.pollAsync(clientId, next, null);
        Thread.sleep(1000);
        assertFalse(parked.isDone(), () -> "the poll should be parked, got " + parked.join());

        int port = tomcat.port();
        long stopAt = System.nanoTime();
        CompletableFuture<Integer> stopped = CompletableFuture.supplyAsync(() -> {
            try {
                return tomcat.stop();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Reply answer = parked.get(30, TimeUnit.SECONDS);
        long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAt);
        long parkedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - parkedAt);
        int exit = stopped.get(30, TimeUnit.SECONDS);
        long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAt);
        System.out.printf("parked poll answered %d ms after SIGTERM (parked %d ms): %s; Tomcat exited %d after %d ms%n",
                answeredMs, parkedMs, answer, exit, stopMs);

        assertEquals(200, answer.status(), answer.toString());
        JsonNode body = answer.json();
        assertFalse(body.get("status").asBoolean(), answer.toString());
        assertEquals(0, body.get("messages").size(), answer.toString());
        assertEquals(next, body.get("cursor").asLong(), answer.toString());
        assertNull(body.get("superseded"), answer.toString());
        // Not the 7 s poll timeout: the stop answered it.
        assertTrue(parkedMs < 6000, "answered after " + parkedMs + " ms parked, " + answeredMs + " ms after SIGTERM");
        assertTrue(answeredMs < 5000, "answered " + answeredMs + " ms after SIGTERM");

        assertFalse(tomcat.isRunning());
        try (Socket socket = new Socket()) {
            assertThrows(ConnectException.class, () -> socket.connect(new InetSocketAddress("127.0.0.1", port), 2000),
                    "nothing listens after stop");
        }
    }

    @Test
    void aWebappThatCannotStartFailsStartFastWithTheLog() {
        tomcat = TomcatServer.fromProperties(Map.of("poll-timeout", "999"), "TomcatServerIT-bad");
        long begin = System.nanoTime();
        IllegalStateException failure = assertThrows(IllegalStateException.class, tomcat::start);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertTrue(failure.getMessage().contains("poll-timeout"), failure.getMessage());
        assertTrue(ms < TimeUnit.SECONDS.toMillis(TomcatServer.START_SECONDS), "took " + ms + " ms");
        assertFalse(tomcat.isRunning());
    }
}
