package io.github.longpollchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.Reply;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Parked polls hold no thread: 2,000 polls wait at once on a server whose Jetty pool may use at
 * most 50 threads, and one message then reaches all of them.
 */
@Timeout(120)
class ParkedPollsHoldNoThreadTest {
    private static final int POLLS = 2000;
    private static final int MAX_THREADS = 50;

    @Test
    void twoThousandParkedPollsOnFiftyThreadsAllGetOneBroadcast() throws Exception {
        Settings settings = Settings.defaults()
                .with(Option.PORT, 0).with(Option.HOST, "127.0.0.1")
                .with(Option.MAILBOX, 5000).with(Option.POLL_TIMEOUT, 60);
        ChatServer server = ChatServer.newServer(settings, MAX_THREADS).start();
        try {
            ChatClient chat = new ChatClient(URI.create("http://127.0.0.1:" + server.port() + "/"));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < POLLS; i++) {
                ids.add(chat.join("p" + i, "crowd").get("clientId").asText());
            }
            JsonNode sender = chat.join("sender", "crowd");
            long lastJoin = sender.get("cursor").asLong() + 1;

            List<CompletableFuture<Reply>> polls = new ArrayList<>();
            for (String id : ids) {
                polls.add(chat.pollAsync(id, lastJoin, null));
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (server.hub().stats().parkedPolls() < POLLS && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(POLLS, server.hub().stats().parkedPolls(), "all polls parked at once");
            assertTrue(polls.stream().noneMatch(CompletableFuture::isDone), "none answered before the message");

            Reply sent = chat.send(sender.get("clientId").asText(), "to everyone");
            assertEquals(200, sent.status());
            long id = sent.json().get("id").asLong();
            for (CompletableFuture<Reply> poll : polls) {
                JsonNode answer = poll.get().json();
                assertTrue(answer.get("status").asBoolean());
                assertEquals(id, answer.get("cursor").asLong());
                assertEquals("to everyone", answer.get("messages").get(0).get("text").asText());
            }
        } finally {
            server.stop();
        }
    }
}
