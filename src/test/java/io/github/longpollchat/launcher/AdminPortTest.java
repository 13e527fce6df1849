package io.github.longpollchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.MetricsText;
import io.github.longpollchat.testing.RedisServer;
import io.github.longpollchat.testing.Reply;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The jar's admin port: bound to loopback whatever the chat's address, unless every caller is
 * allowed; and what {@code /readyz} says as the server stops and as its Redis goes and comes back.
 * Each test starts a server of its own.
 */
@Timeout(90)
class AdminPortTest {
    private static final long WAIT_NANOS = 20_000_000_000L;

    private static Settings onLoopback() {
        return Settings.defaults().with(Option.PORT, 0).with(Option.HOST, "127.0.0.2").with(Option.ADMIN_PORT, 0);
    }

    @ParameterizedTest(name = "admin-allow={0}")
    @CsvSource({"loopback, 127.0.0.1", "any, 127.0.0.2"})
    void theAdminPortIsBoundToLoopbackUnlessAnyCallerIsAllowed(String allow, String bound) throws Exception {
        ChatServer server = ChatServer.newServer(onLoopback().with(Option.ADMIN_ALLOW, allow)).start();
        try {
            assertEquals("127.0.0.2", server.uri().getHost());
            assertEquals(bound, server.adminUri().getHost());
            assertEquals(200, new ChatClient(server.adminUri()).get("healthz").status());
        } finally {
            server.stop();
        }
    }

    @Test
    void readyzSaysShuttingDownOnceTheServerBeginsToStopWhileHealthzStillAnswers() throws Exception {
        ChatServer server = ChatServer.newServer(onLoopback()).start();
        try {
            ChatClient admin = new ChatClient(server.adminUri());
            assertEquals(200, admin.get("readyz").status());

            // The first step of stop(): from here on, chat requests get shutting_down.
            server.hub().shutdown();

            Reply ready = admin.get("readyz");
            assertEquals(503, ready.status(), ready::toString);
            assertEquals("shutting_down", ready.error());
            assertEquals(200, admin.get("healthz").status());
        } finally {
            server.stop();
        }
    }

    @Test
    void readyzSaysStoreUnavailableWhileRedisIsAwayAndReadyOnceItIsBack() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            ChatServer server = ChatServer.newServer(onLoopback().with(Option.REDIS, redis.uri())).start();
            try {
                ChatClient admin = new ChatClient(server.adminUri());
                assertEquals(200, admin.get("readyz").status());

                redis.stop();
                Reply away = await(() -> admin.get("readyz"), 503);
                assertEquals("store_unavailable", away.error());
                MetricsText blind = MetricsText.parse(admin.get("metrics").body());
                assertTrue(Double.isNaN(blind.value("chat_clients")), "no count without Redis: " + blind.text());

                redis.restart();
                await(() -> admin.get("readyz"), 200);
                MetricsText back = MetricsText.parse(admin.get("metrics").body());
                assertTrue(back.value("chat_redis_reconnects_total") >= 1, back.text());
                assertTrue(back.value("chat_redis_call_seconds_count") >= 1, back.text());
                assertEquals(0, back.value("chat_clients"), back.text());
            } finally {
                server.stop();
            }
        }
    }

    /** Asks until the answer has this status, for at most {@link #WAIT_NANOS}. */
    private static Reply await(Supplier<Reply> ask, int status) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        Reply reply = ask.get();
        for (int i = 0; i < 400 && reply.status() != status && System.nanoTime() < deadline; i++) {
            Thread.sleep(50);
            reply = ask.get();
        }
        assertEquals(status, reply.status(), reply::toString);
        return reply;
    }
}
