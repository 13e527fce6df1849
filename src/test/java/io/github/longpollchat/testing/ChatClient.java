package io.github.longpollchat.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;

/**
 * Talks the protocol over real HTTP to a server at a base URL (the jar's root or the WAR's
 * context path), for tests. Every call returns the raw {@link Reply}; nothing is hidden.
 */
public final class ChatClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private final URI base;
    private final HttpClient http;

    public ChatClient(URI base) {
        this(base, HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build());
    }

    /** Over a client of the caller's: another HTTP version, TLS trusting a test's certificate. */
    public ChatClient(URI base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    public URI base() {
        return base;
    }

    public URI uri(String relative) {
        return base.resolve(relative);
    }

    /** {@code application/x-www-form-urlencoded} from name, value, name, value…; a null value is left out. */
    public static String form(String... pairs) {
        StringJoiner joined = new StringJoiner("&");
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                joined.add(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
            }
        }
        return joined.toString();
    }

    public Reply postForm(String path, String... pairs) {
        return post(path, "application/x-www-form-urlencoded", form(pairs).getBytes(StandardCharsets.UTF_8));
    }

    public Reply postJson(String path, String json) {
        return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** A POST with any content type (null: none) and any bytes. */
    public Reply post(String path, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request.build());
    }

    public Reply get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(TIMEOUT).GET().build());
    }

    public CompletableFuture<Reply> getAsync(String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(TIMEOUT).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(Reply::of);
    }

    public Reply method(String method, String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    public Reply send(HttpRequest request) {
        try {
            return Reply.of(http.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // The protocol's calls, for tests that are about something else.

    public JsonNode join(String name, String room) {
        Reply reply = postForm("join", "name", name, "room", room);
        expectOk(reply);
        return reply.json();
    }

    public Reply send(String clientId, String text) {
        return postForm("send_msg", "clientId", clientId, "text", text);
    }

    /** A poll with a cursor (null: none) and timeout in seconds (null: the server's default). */
    public Reply poll(String clientId, Long cursor, Integer timeout) {
        return get(pollPath(clientId, cursor, timeout));
    }

    public CompletableFuture<Reply> pollAsync(String clientId, Long cursor, Integer timeout) {
        return getAsync(pollPath(clientId, cursor, timeout));
    }

    public static String pollPath(String clientId, Long cursor, Integer timeout) {
        return "get_msg?" + form("clientId", clientId,
                "cursor", cursor == null ? null : cursor.toString(),
                "timeout", timeout == null ? null : timeout.toString());
    }

    public Reply leave(String clientId) {
        return postForm("leave", "clientId", clientId);
    }

    private static void expectOk(Reply reply) {
        if (reply.status() != 200) {
            throw new AssertionError("expected 200, got " + reply);
        }
    }
}
