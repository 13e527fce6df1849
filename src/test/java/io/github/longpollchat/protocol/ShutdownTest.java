package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.HubWatch;
import io.github.longpollchat.testing.RawHttp;
import io.github.longpollchat.testing.Reply;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stopping the server: parked polls get an empty answer at once, and new requests get
 * {@code 503 shutting_down} until it is gone. Each test starts and stops a server of its own.
 */
@Timeout(60)
class ShutdownTest {
    private static final long SETTLE_MILLIS = 300;

    private final ChatTarget chat = ChatTarget.withDefaults();
    private final Api api = new Api(chat);
    private CompletableFuture<Void> stopping;

    @BeforeEach
    void start() throws Exception {
        chat.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (stopping != null) {
            stopping.get(30, TimeUnit.SECONDS);
        }
        chat.stop();
    }

    private void stopInTheBackground() {
        stopping = CompletableFuture.runAsync(() -> {
            try {
                chat.stop();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void parkedPollIsAnsweredAtOnceWithAnEmptyAnswerOnStop() throws Exception {
        Joined alice = api.join("alice", Unique.room());
        api.poll(alice.clientId(), alice.joinId(), 0);
        CompletableFuture<Reply> parked = api.parkedPoll(alice.clientId(), alice.joinId(), 30);
        assertFalse(parked.isDone());
        long start = System.nanoTime();
        stopInTheBackground();
        Reply reply = parked.get(10, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "answered at once");
        Checks.assertOk(reply);
        JsonNode answer = reply.json();
        assertFalse(answer.get("status").booleanValue());
        assertEquals(0, answer.get("messages").size());
        assertEquals(alice.joinId(), answer.get("cursor").longValue());
        assertFalse(answer.has("superseded"));
    }

    @Test
    void newRequestsWhileStoppingGet503ShuttingDown() throws Exception {
        // Tomcat stops taking requests before it tells the app to stop: only our Jetty can answer 503.
        Assumptions.assumeTrue(ChatTarget.isJar(), "the container refuses requests while stopping");
        Joined alice = api.join("alice", Unique.room());
        String id = alice.clientId();
        String form = "Content-Type: application/x-www-form-urlencoded";
        List<Call> requests = List.of(
                new Call("POST", "join", List.of(form), Api.utf8("name=bob&room=" + alice.room())),
                new Call("POST", "send_msg", List.of(form), Api.utf8("clientId=" + id + "&text=hi")),
                new Call("GET", "get_msg?clientId=" + id + "&timeout=0", List.of(), null),
                new Call("POST", "leave", List.of(form), Api.utf8("clientId=" + id)),
                new Call("GET", "", List.of(), null),
                new Call("GET", "nope", List.of(), null));
        byte[] warmUp = RawHttp.request(chat.base(), "GET", "nope", List.of(), null, false);
        List<Socket> open = new ArrayList<>();
        String body = "clientId=" + id + "&text=hello";
        try (Socket slow = RawHttp.open(chat.base())) {
            // Connections already open when the stop begins; new ones may be refused from then on.
            for (int i = 0; i < requests.size(); i++) {
                Socket socket = RawHttp.open(chat.base());
                open.add(socket);
                assertEquals(404, RawHttp.exchangeOn(socket, warmUp).status());
            }
            // A send whose body is still on its way keeps the server stopping, not yet gone.
            OutputStream out = slow.getOutputStream();
            out.write(("POST " + chat.base().getRawPath() + "send_msg HTTP/1.1\r\nHost: " + chat.base().getHost()
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body.substring(0, 8)).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(SETTLE_MILLIS);
            Hub hub = chat.hub().orElseThrow();
            stopInTheBackground();
            HubWatch.await("the server to begin stopping", hub::isShuttingDown);
            for (int i = 0; i < requests.size(); i++) {
                Call call = requests.get(i);
                Reply reply = RawHttp.exchangeOn(open.get(i),
                        RawHttp.request(chat.base(), call.method(), call.path(), call.headers(), call.body(), false));
                Checks.everyReply(call.method(), call.path(), reply);
                assertError(reply, 503, "shutting_down");
            }
            out.write(body.substring(8).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            slow.getInputStream().readAllBytes();
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    /** A request to make later. */
    private record Call(String method, String path, List<String> headers, byte[] body) {
    }
}
