package io.github.longpollchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.Reply;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** No parked poll is cut by the connection's idle timeout: the connector waits longer than any poll. */
@Timeout(60)
class IdleTimeoutTest {
    @Test
    void theConnectorIdleTimeoutOutlastsTheLongestPoll() throws Exception {
        ChatServer server = ChatServer.newServer(Settings.defaults()
                .with(Option.PORT, 0).with(Option.HOST, "127.0.0.1").with(Option.POLL_TIMEOUT, 60));
        assertTrue(server.idleTimeoutMillis() > 60_000, "idle timeout " + server.idleTimeoutMillis() + " ms");
    }

    @Test
    void aPollParkedForTheWholeTimeoutEndsWithA200NotACutConnection() throws Exception {
        ChatServer server = ChatServer.newServer(Settings.defaults()
                .with(Option.PORT, 0).with(Option.HOST, "127.0.0.1").with(Option.POLL_TIMEOUT, 3)).start();
        try {
            ChatClient chat = new ChatClient(URI.create("http://127.0.0.1:" + server.port() + "/"));
            JsonNode joined = chat.join("waiter", "idle");
            long cursor = joined.get("cursor").asLong() + 1;
            long start = System.nanoTime();
            Reply reply = chat.poll(joined.get("clientId").asText(), cursor, null);
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, reply.status());
            assertFalse(reply.json().get("status").asBoolean());
            assertTrue(waitedMillis >= 2900, "parked for the whole poll timeout: " + waitedMillis + " ms");
        } finally {
            server.stop();
        }
    }
}
