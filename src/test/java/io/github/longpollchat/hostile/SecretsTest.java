package io.github.longpollchat.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.StderrCapture;
import io.github.longpollchat.testing.HubWatch;
import io.github.longpollchat.testing.RawHttp;
import io.github.longpollchat.testing.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client id is a password: it must never be written to the server's log in full, and no client
 * may ever see another's, in any answer: history, members, messages or errors.
 *
 * <p>The server logs with slf4j-simple to {@code System.err}, which slf4j-simple looks up each
 * time it writes (it caches the stream only when configured with {@code cacheOutputStream}), so
 * swapping {@code System.err} for a tee captures it, also in surefire's shared JVM. The test
 * checks that it did capture the server's log, so that it cannot pass by capturing nothing.
 */
@Timeout(60)
class SecretsTest {
    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.CLIENT_TTL, 1).and(Option.POLL_TIMEOUT, 1).and(Option.MAILBOX, 10);

    private static String log;
    /** Every client's id, by name, and every answer each of them received. */
    private static final Map<String, String> ids = new LinkedHashMap<>();
    private static final Map<String, List<String>> received = new LinkedHashMap<>();

    private static ChatClient client;

    private static Reply as(String who, Reply reply) {
        received.computeIfAbsent(who, k -> new ArrayList<>()).add(reply.status() + " " + reply.headers().map() + " " + reply.body());
        return reply;
    }

    private static String join(String name, String room) {
        Reply reply = as(name, client.postForm("join", "name", name, "room", room));
        assertEquals(200, reply.status(), reply.toString());
        String id = reply.json().get("clientId").asText();
        ids.put(name, id);
        return id;
    }

    @BeforeAll
    static void chatWhileTheLogIsCaptured() throws Exception {
        assumeTrue(chat.hub().isPresent(), "the server's log is this JVM's System.err only for the embedded server");
        client = chat.client();
        Hub hub = chat.hub().orElseThrow();
        StderrCapture captured = new StderrCapture();
        try {
            String alice = join("alice", "secrets");
            String bob = join("bob", "secrets");
            String carol = join("carol", "elsewhere");
            String dave = join("dave", "secrets");
            String erin = join("erin", "secrets");

            // Messages, polls (answered, parked, superseded), resumes.
            as("alice", client.send(alice, "hello bob"));
            as("bob", client.postForm("send_msg", "clientId", bob, "text", "hi alice", "msgId", "m1"));
            as("bob", client.postForm("send_msg", "clientId", bob, "text", "hi alice", "msgId", "m1"));
            as("alice", client.poll(alice, 1000L, 0));
            CompletableFuture<Reply> parked = client.pollAsync(bob, 100L, 1);
            HubWatch.await("bob's poll to park", () -> parked.isDone() || hub.stats().parkedPolls() == 1);
            as("bob", client.poll(bob, 0L, 1)); // supersedes the parked one, then answers at once
            as("bob", parked.get(5, TimeUnit.SECONDS));
            as("alice", client.postForm("join", "name", "alice", "room", "secrets", "clientId", alice));
            as("carol", client.poll(carol, 0L, 0));

            // Errors: of every kind, some carrying another client's id, some about the asker's own.
            as("carol", client.postForm("join", "name", "bob", "room", "secrets"));          // 409: bob's name
            Reply carolHere = as("carol", client.postForm("join", "name", "carol", "room", "secrets", "clientId", carol)); // other room: new join
            assertEquals(200, carolHere.status(), carolHere.toString());
            ids.put("carol in secrets", carolHere.json().get("clientId").asText());
            as("carol", client.send(carol + "x", "spoof"));                                   // 410
            as("carol", client.send(carol + "!", "spoof"));                                   // 400 invalid_client_id
            as("carol", client.get("get_msg?clientId=" + carol + "&cursor=-1"));              // 400 invalid_cursor
            as("carol", client.get("get_msg?clientId=" + carol + "&clientId=" + carol));      // 400 given twice
            as("carol", client.postJson("send_msg", "{\"clientId\":\"" + carol + "\",\"text\":\"\\u0000\"}"));
            as("carol", client.postJson("leave", "{\"clientId\":\"" + carol + "\",\"grace\":99}"));
            as("carol", client.post("send_msg", "text/plain", ("clientId=" + carol + "&text=x").getBytes(StandardCharsets.UTF_8)));
            as("carol", client.post("send_msg", "application/x-www-form-urlencoded", new byte[70_000]));
            as("carol", client.get("no_such_path?clientId=" + carol));
            RawHttp.tryExchange(chat.base().getPort(), RawHttp.bytes("GET /get_msg?clientId=" + carol + "\u0001 HTTP/1.1\r\n"
                    + "Host: x\r\nConnection: close\r\n\r\n"), false, false, 5000);
            RawHttp.tryExchange(chat.base().getPort(), RawHttp.bytes("POST /leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + "X-Client: " + carol + "\r\nX-Pad: " + "p".repeat(20_000) + "\r\n\r\n"), false, false, 5000);
            RawHttp.tryExchange(chat.base().getPort(), RawHttp.bytes("POST /send_msg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\nclientId=" + carol
                    + "&text=cut"), true, false, 15_000);

            // A grace leave that a later request cancels, a leave, evictions (mailbox of 10), expiries.
            as("dave", client.postForm("leave", "clientId", dave, "grace", "1"));
            as("dave", client.poll(dave, 0L, 0));
            as("erin", client.leave(erin));
            as("erin", client.send(erin, "after leaving")); // 410
            for (int i = 0; i < 12; i++) {
                as("alice", client.send(alice, "flood " + i)); // those who stopped polling are evicted by overflow
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (hub.stats().clients() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50); // everyone else expires (TTL 1 s)
            }
            assertEquals(0, hub.stats().clients(), "everyone left, was evicted or expired");
            as("alice", client.poll(alice, 0L, 0)); // 410 after expiry
        } finally {
            captured.close();
        }
        log = captured.text();
    }

    /** Any 12 characters in a row of a 32-character id: enough to tell a leak, far too many for a chance match. */
    private static String leakedPart(String text, String id) {
        for (int i = 0; i + 12 <= id.length(); i++) {
            if (text.contains(id.substring(i, i + 12))) {
                return id.substring(i, i + 12);
            }
        }
        return null;
    }

    @Test
    void theServersLogWasCaptured() {
        assertTrue(log.contains("join room=secrets"), "the hub's log lines were captured:\n" + log);
        assertTrue(log.contains("left room=secrets"), "leaves, evictions and expiries were logged:\n" + log);
    }

    @Test
    void noClientIdIsWrittenToTheLogNotEvenInPart() {
        assertTrue(ids.size() >= 5);
        for (Map.Entry<String, String> id : ids.entrySet()) {
            String part = leakedPart(log, id.getValue());
            assertEquals(null, part, id.getKey() + "'s client id appears in the log (" + part + "):\n" + log);
        }
    }

    @Test
    void theLogStillTellsClientsApartByAShortPrefix() {
        String alice = ids.get("alice");
        assertTrue(log.contains(alice.substring(0, 6) + "…"), "the redacted prefix is there to follow a client");
    }

    @Test
    void noClientEverReceivesAnotherClientsId() {
        for (Map.Entry<String, List<String>> who : received.entrySet()) {
            for (Map.Entry<String, String> other : ids.entrySet()) {
                if (other.getKey().startsWith(who.getKey())) {
                    continue; // its own ids
                }
                for (String answer : who.getValue()) {
                    assertEquals(null, leakedPart(answer, other.getValue()),
                            who.getKey() + " received " + other.getKey() + "'s client id: " + answer);
                }
            }
        }
    }

    @Test
    void aClientIdOfAnotherRoomIsNotResumedButJoinedAnew() {
        assertNotEquals(ids.get("carol"), ids.get("carol in secrets"), "carol's id from elsewhere did not resume in secrets");
    }
}
