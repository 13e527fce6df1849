package io.github.longpollchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.Reply;
import io.github.longpollchat.testing.TestKeystore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The jar with a tls-keystore serves HTTPS on its port: HTTP/2 to clients that offer it by ALPN,
 * HTTP/1.1 to the others, with the same chat behind both; and over HTTP/2 many polls park at once
 * on one connection.
 */
@Timeout(60)
class HttpsTest {
    private static final int PARKED_ON_ONE_CONNECTION = 20;
    private static ChatServer server;

    @BeforeAll
    static void start() throws Exception {
        server = ChatServer.newServer(TestKeystore.settings(Map.of(Option.POLL_TIMEOUT, "20"))).start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    @Test
    void theServersAddressSaysHttps() {
        assertEquals(URI.create("https://127.0.0.1:" + server.port() + "/"), server.uri());
    }

    @Test
    void joinSendAndPollGoOverHttp2() throws Exception {
        HttpClient http = TestKeystore.client(HttpClient.Version.HTTP_2);
        HttpResponse<String> page = exchange(http, HttpRequest.newBuilder(server.uri()).GET());
        HttpResponse<String> joined = exchange(http, form("join", "name=ann&room=h2"));
        String clientId = new ChatClient(server.uri(), http).join("ben", "h2").get("clientId").asText();
        HttpResponse<String> sent = exchange(http, form("send_msg", "clientId=" + clientId + "&text=over+h2"));
        String annId = Reply.of(joined).json().get("clientId").asText();
        HttpResponse<String> polled = exchange(http, HttpRequest.newBuilder(server.uri().resolve(
                ChatClient.pollPath(annId, Reply.of(joined).json().get("cursor").asLong(), 0))).GET());

        for (HttpResponse<String> response : List.of(page, joined, sent, polled)) {
            assertEquals(200, response.statusCode(), response.uri() + ": " + response.body());
            assertEquals(HttpClient.Version.HTTP_2, response.version(), response.uri().toString());
        }
        assertTrue(polled.body().contains("\"over h2\""), polled.body());
    }

    @Test
    void aClientWithoutHttp2GetsHttp1OverTls() throws Exception {
        HttpClient http = TestKeystore.client(HttpClient.Version.HTTP_1_1);

        HttpResponse<String> joined = exchange(http, form("join", "name=cy&room=h1"));

        assertEquals(200, joined.statusCode(), joined.body());
        assertEquals(HttpClient.Version.HTTP_1_1, joined.version());
    }

    @Test
    void aPollParkedOverHttp2IsAnsweredBySendOnTheSameConnection() throws Exception {
        ChatClient chat = new ChatClient(server.uri(), TestKeystore.client(HttpClient.Version.HTTP_2));
        JsonNode waiter = chat.join("dee", "parked");
        JsonNode sender = chat.join("eve", "parked");
        long after = sender.get("cursor").asLong() + 1;

        CompletableFuture<Reply> poll = chat.pollAsync(waiter.get("clientId").asText(), after, null);
        Thread.sleep(500);
        assertFalse(poll.isDone(), () -> "the poll should be parked, got " + poll.join());
        Reply sent = chat.send(sender.get("clientId").asText(), "wake up");

        JsonNode answer = poll.get(10, TimeUnit.SECONDS).json();
        assertTrue(answer.get("status").asBoolean(), answer.toString());
        assertEquals(sent.json().get("id").asLong(), answer.get("cursor").asLong());
    }

    @Test
    void twentyPollsParkAtOnceOnOneHttp2ConnectionAndOneMessageAnswersThemAll() throws Exception {
        ChatClient chat = new ChatClient(server.uri(), TestKeystore.client(HttpClient.Version.HTTP_2));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < PARKED_ON_ONE_CONNECTION; i++) {
            ids.add(chat.join("tab" + i, "tabs").get("clientId").asText());
        }
        JsonNode sender = chat.join("writer", "tabs");
        long after = sender.get("cursor").asLong() + 1;
        int parkedBefore = server.hub().stats().parkedPolls();

        List<CompletableFuture<Reply>> polls = new ArrayList<>();
        for (String id : ids) {
            polls.add(chat.pollAsync(id, after, null));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.hub().stats().parkedPolls() < parkedBefore + PARKED_ON_ONE_CONNECTION && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(parkedBefore + PARKED_ON_ONE_CONNECTION, server.hub().stats().parkedPolls(), "all parked at once");
        Reply sent = chat.send(sender.get("clientId").asText(), "to every tab");

        for (CompletableFuture<Reply> poll : polls) {
            JsonNode answer = poll.get(10, TimeUnit.SECONDS).json();
            assertEquals("to every tab", answer.get("messages").get(0).get("text").asText(), answer.toString());
            assertEquals(sent.json().get("id").asLong(), answer.get("cursor").asLong());
        }
    }

    private static HttpRequest.Builder form(String path, String body) {
        return HttpRequest.newBuilder(server.uri().resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpResponse<String> exchange(HttpClient http, HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
