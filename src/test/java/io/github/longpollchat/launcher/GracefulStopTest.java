package io.github.longpollchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** On stop, parked polls are answered at once with an empty answer, so that clients re-poll promptly. */
@Timeout(60)
class GracefulStopTest {
    @Test
    void stoppingAnswersEveryParkedPollWithAnEmptyAnswer() throws Exception {
        ChatServer server = ChatServer.newServer(Settings.defaults()
                .with(Option.PORT, 0).with(Option.HOST, "127.0.0.1")).start();
        try {
            answersOnStop(server);
        } finally {
            server.stop();
        }
    }

    private static void answersOnStop(ChatServer server) throws Exception {
        ChatClient chat = new ChatClient(server.uri());
        List<String> ids = new ArrayList<>();
        long cursor = 0;
        for (int i = 0; i < 20; i++) {
            JsonNode joined = chat.join("u" + i, "stop");
            ids.add(joined.get("clientId").asText());
            cursor = joined.get("cursor").asLong() + 1;
        }
        List<CompletableFuture<Reply>> polls = new ArrayList<>();
        for (String id : ids) {
            polls.add(chat.pollAsync(id, cursor, 60));
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.hub().stats().parkedPolls() < 20 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(20, server.hub().stats().parkedPolls());
        long start = System.nanoTime();
        server.stop();
        for (int i = 0; i < polls.size(); i++) {
            Reply reply = polls.get(i).get(5, TimeUnit.SECONDS);
            assertEquals(200, reply.status());
            assertFalse(reply.json().get("status").asBoolean());
            assertEquals(0, reply.json().get("messages").size());
            assertEquals(cursor, reply.json().get("cursor").asLong());
        }
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "answered within 5 s of the stop");
    }
}
