package io.github.longpollchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.Reply;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No request holds a thread while it waits on its client, so that many slow clients cannot
 * starve the pool: with five times as many of them as the smallest pool has threads, a chat
 * between two quick clients still goes at full speed. A blocking body read or answer write holds
 * one thread per slow client for the 10 s idle timeout, and fails these tests.
 */
@Timeout(60)
class SlowClientsHoldNoThreadTest {
    private static final int THREADS = 8;
    private static final int SLOW_CLIENTS = 5 * THREADS;
    /** Far below the 10 s a blocked thread would wait, far above a quick exchange on a busy machine. */
    private static final long QUICK_MILLIS = 4000;

    private ChatServer server;
    private ChatClient chat;
    private final List<Socket> slow = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = ChatServer.newServer(Settings.defaults()
                .with(Option.PORT, 0).with(Option.HOST, "127.0.0.1").with(Option.THREADS, THREADS)).start();
        chat = new ChatClient(server.uri());
        // Once before the slow clients, so that the timed exchange pays no first-request start-up.
        chat.join("warm", "warm-up");
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : slow) {
            socket.close();
        }
        server.stop();
    }

    @Test
    void bodiesStillArrivingHoldNoThread() throws Exception {
        for (int i = 0; i < SLOW_CLIENTS; i++) {
            Socket socket = connect();
            send(socket, "POST /send_msg HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nclientId=a");
        }
        assertAQuickChatStillGoesThrough();
    }

    @Test
    void answersNotTakenHoldNoThread() throws Exception {
        // Each asks for jQuery (some 85 KB) a hundred times over and reads nothing: once the
        // socket buffers are full, every one of these answers waits on its client.
        String get = "GET /vendor/jquery.min.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        for (int i = 0; i < SLOW_CLIENTS; i++) {
            Socket socket = connect();
            send(socket, get.repeat(100));
        }
        Thread.sleep(500); // time to fill the buffers
        assertAQuickChatStillGoesThrough();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
        slow.add(socket);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private void assertAQuickChatStillGoesThrough() {
        long start = System.nanoTime();
        JsonNode alice = chat.join("alice", "quick");
        JsonNode bob = chat.join("bob", "quick");
        Reply sent = chat.send(alice.get("clientId").asText(), "still here?");
        Reply polled = chat.poll(bob.get("clientId").asText(), bob.get("cursor").asLong(), 5);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(200, sent.status());
        assertEquals(200, polled.status());
        JsonNode messages = polled.json().get("messages");
        assertEquals("still here?", messages.get(messages.size() - 1).get("text").asText(), polled.body());
        assertTrue(millis < QUICK_MILLIS, "join, join, send and poll took " + millis + " ms beside "
                + SLOW_CLIENTS + " slow clients on " + THREADS + " threads");
    }
}
