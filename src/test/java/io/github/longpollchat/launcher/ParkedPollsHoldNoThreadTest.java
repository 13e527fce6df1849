package io.github.longpollchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Parked polls hold no thread: 2,000 polls wait at once on a server started with the smallest
 * {@code --threads} (8), and one message then reaches all of them. With a thread per parked poll,
 * 8 threads could never park 2,000. The pool-size checks only prove that the flag reaches the
 * pool (unwired, Jetty's default pool grew to 127 threads here); Jetty never exceeds its maximum.
 */
@Timeout(120)
class ParkedPollsHoldNoThreadTest {
    private static final int POLLS = 2000;
    private static final int MAX_THREADS = 8;

    @Test
    void twoThousandParkedPollsOnEightThreadsAllGetOneBroadcast() throws Exception {
        Settings settings = Settings.defaults()
                .with(Option.PORT, 0).with(Option.HOST, "127.0.0.1")
                .with(Option.MAILBOX, 5000).with(Option.POLL_TIMEOUT, 60)
                .with(Option.THREADS, MAX_THREADS)
                // Not a big room: no presence summary may answer the polls before the broadcast does.
                .with(Option.PRESENCE_LIMIT, POLLS + 1);
        ChatServer server = ChatServer.newServer(settings).start();
        try {
            ChatClient chat = new ChatClient(server.uri());
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
            int threadsWhileParked = poolThreads();
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
            assertTrue(threadsWhileParked <= MAX_THREADS, threadsWhileParked + " pool threads while parked");
            assertTrue(poolThreads() <= MAX_THREADS, poolThreads() + " pool threads after the broadcast");
        } finally {
            server.stop();
        }
    }

    /** The server's pool threads alive now (Jetty names them after the pool: chat-http-N). */
    private static int poolThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("chat-http")).count();
    }
}
