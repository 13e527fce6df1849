package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.HubWatch;
import io.github.longpollchat.testing.RawHttp;
import io.github.longpollchat.testing.Reply;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The protocol as the tests speak it: every request goes through {@link ChatTarget#client()} (or
 * a raw socket to the same base URL), every path is relative, and every reply passes
 * {@link Checks#everyReply} before a test sees it.
 */
final class Api {
    /** How long a poll is given to park where the server cannot be asked whether it has (Tomcat). */
    private static final long UNSEEN_PARKING_MILLIS = 1000;

    private final ChatTarget chat;

    Api(ChatTarget chat) {
        this.chat = chat;
    }

    ChatClient http() {
        return chat.client();
    }

    URI base() {
        return chat.client().base();
    }

    // Raw requests, checked.

    Reply postForm(String path, String... pairs) {
        return Checks.everyReply("POST", path, http().postForm(path, pairs));
    }

    Reply postJson(String path, String json) {
        return Checks.everyReply("POST", path, http().postJson(path, json));
    }

    Reply post(String path, String contentType, byte[] body) {
        return Checks.everyReply("POST", path, http().post(path, contentType, body));
    }

    /** A POST whose body goes chunked, with no Content-Length. */
    Reply postChunked(String path, String contentType, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(http().uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();
        return Checks.everyReply("POST", path, http().send(request));
    }

    /**
     * A request with a body the server may refuse unread (over 64 KiB): written by hand, so that
     * the answer is read even when the server stops reading the body and closes.
     */
    Reply sendLarge(String method, String path, String contentType, byte[] body, boolean chunked) {
        List<String> headers = new ArrayList<>();
        headers.add("Content-Type: " + contentType);
        byte[] request;
        if (chunked) {
            headers.add("Transfer-Encoding: chunked");
            request = RawHttp.concat(RawHttp.request(base(), method, path, headers, null), RawHttp.chunked(body));
        } else {
            request = RawHttp.request(base(), method, path, headers, body);
        }
        return Checks.everyReply(method, path, RawHttp.exchangeWhileWriting(base(), request));
    }

    Reply get(String path) {
        return Checks.everyReply("GET", path, http().get(path));
    }

    CompletableFuture<Reply> getAsync(String path) {
        return http().getAsync(path).thenApply(reply -> Checks.everyReply("GET", path, reply));
    }

    Reply method(String method, String path) {
        return Checks.everyReply(method, path, http().method(method, path));
    }

    Reply method(String method, String path, String contentType, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(http().uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return Checks.everyReply(method, path, http().send(request));
    }

    /** A request written by hand: {@code relative} is sent as is, after the base URL's path. */
    Reply raw(String method, String relative, List<String> headers, byte[] body) {
        Reply reply = RawHttp.exchange(base(), RawHttp.request(base(), method, relative, headers, body));
        return Checks.everyReply(method, relative, reply);
    }

    /** Bytes sent as they are, request line and all; {@code label} names them in messages. */
    Reply rawBytes(String label, String request) {
        Reply reply = RawHttp.exchange(base(), RawHttp.bytes(request));
        return Checks.everyReply("RAW", label, reply);
    }

    /** Like {@link #raw}, for a request that the container may refuse itself: see {@link Checks#containerReply}. */
    Reply rawToContainer(String method, String relative) {
        Reply reply = RawHttp.exchange(base(), RawHttp.request(base(), method, relative, List.of(), null));
        return Checks.containerReply(method, relative, reply);
    }

    /** Like {@link #rawBytes}, for bytes that the container may refuse itself: see {@link Checks#containerReply}. */
    Reply rawBytesToContainer(String label, String request) {
        Reply reply = RawHttp.exchange(base(), RawHttp.bytes(request));
        return Checks.containerReply("RAW", label, reply);
    }

    Reply rawPostForm(String path, byte[] body) {
        return raw("POST", path, List.of("Content-Type: application/x-www-form-urlencoded"), body);
    }

    Reply rawPostJson(String path, byte[] body) {
        return raw("POST", path, List.of("Content-Type: application/json"), body);
    }

    // The protocol's calls.

    Reply joinReply(String name, String room) {
        return postForm("join", "name", name, "room", room);
    }

    Reply joinReply(String name, String room, String clientId) {
        return postForm("join", "name", name, "room", room, "clientId", clientId);
    }

    /** A join with these header fields added, e.g. {@code X-Forwarded-For: 203.0.113.7}. */
    Reply joinReply(List<String> headers, String name, String room) {
        List<String> all = new ArrayList<>(headers);
        all.add("Content-Type: application/x-www-form-urlencoded");
        String form = "name=" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&room=" + URLEncoder.encode(room, StandardCharsets.UTF_8);
        return raw("POST", "join", all, form.getBytes(StandardCharsets.UTF_8));
    }

    Joined join(String name, String room) {
        return join(name, room, null);
    }

    Joined join(String name, String room, String clientId) {
        Reply reply = joinReply(name, room, clientId);
        assertOk(reply);
        return Joined.of(reply.json());
    }

    Reply sendReply(String clientId, String text) {
        return postForm("send_msg", "clientId", clientId, "text", text);
    }

    Reply sendReply(String clientId, String text, String msgId) {
        return postForm("send_msg", "clientId", clientId, "text", text, "msgId", msgId);
    }

    /** Sends and returns the new message's id. */
    long send(String clientId, String text) {
        Reply reply = sendReply(clientId, text);
        assertOk(reply);
        assertTrue(reply.json().get("status").booleanValue(), reply::toString);
        return reply.json().get("id").longValue();
    }

    Reply pollReply(String clientId, Long cursor, Integer timeout) {
        return get(ChatClient.pollPath(clientId, cursor, timeout));
    }

    CompletableFuture<Reply> pollAsync(String clientId, Long cursor, Integer timeout) {
        return getAsync(ChatClient.pollPath(clientId, cursor, timeout));
    }

    /**
     * Starts a poll that is to park, and returns once the server has it parked, so that what the
     * test does next surely comes after it. The jar's hub tells; the WAR's is in Tomcat's JVM,
     * where nothing shows it, so there the poll is given {@value #UNSEEN_PARKING_MILLIS} ms.
     */
    CompletableFuture<Reply> parkedPoll(String clientId, Long cursor, Integer timeout) throws InterruptedException {
        Optional<Hub> hub = chat.hub();
        int before = hub.map(h -> h.stats().parkedPolls()).orElse(0);
        CompletableFuture<Reply> poll = pollAsync(clientId, cursor, timeout);
        if (hub.isPresent()) {
            // Answered instead of parked, it is the test's to say so.
            HubWatch.await("the poll to park", () -> poll.isDone() || hub.get().stats().parkedPolls() > before);
        } else {
            Thread.sleep(UNSEEN_PARKING_MILLIS);
        }
        return poll;
    }

    /** A poll that must succeed; its JSON. */
    JsonNode poll(String clientId, Long cursor, Integer timeout) {
        Reply reply = pollReply(clientId, cursor, timeout);
        assertOk(reply);
        return reply.json();
    }

    Reply leaveReply(String clientId, String grace) {
        return postForm("leave", "clientId", clientId, "grace", grace);
    }

    void leave(String clientId) {
        assertEquals(204, leaveReply(clientId, null).status());
    }

    // Reading state through the protocol only.

    /** The room as a live member sees it, by resuming (which sends no event). */
    Joined view(Joined member) {
        Joined again = join(member.name(), member.room(), member.clientId());
        assertEquals(member.clientId(), again.clientId(), "a view is a resume, not a new join");
        return again;
    }

    /** Whether a client is live: a plain poll (timeout 0, acknowledging nothing) is not 410. */
    boolean isLive(String clientId) {
        Reply reply = pollReply(clientId, null, 0);
        if (reply.status() == 410) {
            return false;
        }
        assertOk(reply);
        return true;
    }

    /** A member's mailbox, read with plain polls and acknowledged as it goes. */
    Inbox inbox(Joined member) {
        return new Inbox(member.clientId(), member.cursor());
    }

    final class Inbox {
        final String clientId;
        long cursor;

        Inbox(String clientId, long cursor) {
            this.clientId = clientId;
            this.cursor = cursor;
        }

        /** Everything queued now (all batches), acknowledging what it reads. */
        List<JsonNode> drain() {
            List<JsonNode> all = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                JsonNode answer = poll(clientId, cursor, 0);
                cursor = answer.get("cursor").longValue();
                if (answer.get("messages").isEmpty()) {
                    return all;
                }
                answer.get("messages").forEach(all::add);
            }
            throw new AssertionError("mailbox never ran dry");
        }

        /** Polls (parked, a second at a time) until an event matches, at most {@code within}. */
        JsonNode await(Predicate<JsonNode> wanted, Duration within) {
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode answer = poll(clientId, cursor, 1);
                cursor = answer.get("cursor").longValue();
                for (JsonNode message : answer.get("messages")) {
                    if (wanted.test(message)) {
                        return message;
                    }
                }
            }
            throw new AssertionError("no such event within " + within);
        }

        /** Polls (plain, every 100 ms) for {@code during}, failing if an event matches. */
        void expectNone(Predicate<JsonNode> unwanted, Duration during) throws InterruptedException {
            long deadline = System.nanoTime() + during.toNanos();
            while (System.nanoTime() < deadline) {
                for (JsonNode message : drain()) {
                    if (unwanted.test(message)) {
                        throw new AssertionError("unexpected event: " + message);
                    }
                }
                Thread.sleep(100);
            }
        }
    }

    // Event predicates.

    static Predicate<JsonNode> leaveOf(String name) {
        return event("leave", name);
    }

    static Predicate<JsonNode> joinOf(String name) {
        return event("join", name);
    }

    static Predicate<JsonNode> event(String type, String name) {
        return m -> type.equals(m.path("type").asText()) && name.equals(m.path("name").asText());
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes from a mix of text and raw byte values, for bodies that are not valid UTF-8. */
    static byte[] bytes(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            } else if (part instanceof Integer b) {
                out.write(b);
            } else {
                throw new IllegalArgumentException(String.valueOf(part));
            }
        }
        return out.toByteArray();
    }
}
