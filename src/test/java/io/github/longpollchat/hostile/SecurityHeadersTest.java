package io.github.longpollchat.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.RawHttp;
import io.github.longpollchat.testing.Reply;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The headers that keep a browser safe, on every kind of answer: the page's Content-Security-Policy
 * (scripts from the application itself only, no inline code, no framing), {@code nosniff} and
 * {@code no-referrer} everywhere, no CORS grant to any origin, and JSON never labelled as HTML.
 * Relative URLs only, so that the same tests can run against the WAR under a context path.
 */
@Timeout(60)
class SecurityHeadersTest {
    @RegisterExtension
    static ChatTarget chat = ChatTarget.withDefaults();

    private static final String EVIL = "https://evil.example";
    private static ChatClient client;
    private static String clientId;
    /** One answer of every kind the application gives, by what was asked. */
    private static final Map<String, Reply> answers = new LinkedHashMap<>();

    @BeforeAll
    static void collectAnswersOfEveryKind() {
        client = chat.client();
        Reply joined = client.postForm("join", "name", "header-check", "room", "headers");
        clientId = joined.json().get("clientId").asText();
        answers.put("the page", client.get(""));
        answers.put("the page with a query", client.get("?room=x&name=y"));
        answers.put("index.html", client.get("index.html"));
        answers.put("chat.js", client.get("chat.js"));
        answers.put("chat.css", client.get("chat.css"));
        answers.put("jQuery", client.get("vendor/jquery.min.js"));
        answers.put("HEAD of the page", client.method("HEAD", ""));
        answers.put("join", joined);
        answers.put("resume", client.postForm("join", "name", "header-check", "room", "headers", "clientId", clientId));
        answers.put("send", client.send(clientId, "hello"));
        answers.put("poll", client.poll(clientId, null, 0));
        answers.put("leave of nobody", client.leave("nobody-at-all"));
        answers.put("400 missing_field", client.postForm("join"));
        answers.put("400 malformed_body", client.postJson("join", "{\"name\":"));
        answers.put("400 invalid_cursor", client.get("get_msg?clientId=" + clientId + "&cursor=x"));
        answers.put("404", client.get("no/such/thing"));
        answers.put("404 of an .html path", client.get("secret.html"));
        answers.put("405", client.method("DELETE", "join"));
        answers.put("409", client.postForm("join", "name", "header-check", "room", "headers"));
        answers.put("410", client.poll("gone-client-id", null, 0));
        answers.put("413", client.post("send_msg", "application/x-www-form-urlencoded", new byte[70_000]));
        answers.put("415", client.post("join", "text/html", "name=x".getBytes(StandardCharsets.UTF_8)));
        for (String path : List.of("", "join", "send_msg", "get_msg", "leave", "chat.js")) {
            answers.put("OPTIONS preflight of '" + path + "' from another origin", client.send(HttpRequest.newBuilder(client.uri(path))
                    .timeout(Duration.ofSeconds(30))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", EVIL)
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "content-type")
                    .build()));
        }
        answers.put("join from another origin", client.send(HttpRequest.newBuilder(client.uri("join"))
                .timeout(Duration.ofSeconds(30))
                .header("Origin", EVIL).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=cross&room=headers")).build()));
        answers.put("poll from another origin", client.send(HttpRequest.newBuilder(client.uri(ChatClient.pollPath(clientId, null, 0)))
                .timeout(Duration.ofSeconds(30)).header("Origin", EVIL).GET().build()));
        answers.put("page from another origin", client.send(HttpRequest.newBuilder(client.uri(""))
                .timeout(Duration.ofSeconds(30)).header("Origin", "null").GET().build()));
    }

    @Test
    void thePageHasAPolicyAllowingScriptsFromItselfOnlyAndNoFraming() {
        for (String page : List.of("the page", "the page with a query", "index.html")) {
            Reply reply = answers.get(page);
            assertEquals(200, reply.status(), page);
            String policy = reply.header("Content-Security-Policy");
            assertNotNull(policy, page + " has a Content-Security-Policy");
            Map<String, String> directives = directives(policy);
            assertEquals("'self'", directives.get("script-src"), page + ": " + policy);
            assertEquals("'none'", directives.get("frame-ancestors"), page + ": " + policy);
            assertFalse(policy.toLowerCase(Locale.ROOT).contains("'unsafe-inline'"), page + ": " + policy);
            assertFalse(policy.toLowerCase(Locale.ROOT).contains("'unsafe-eval'"), page + ": " + policy);
            assertFalse(policy.contains("*"), "no wildcard source: " + policy);
        }
    }

    private static Map<String, String> directives(String policy) {
        Map<String, String> directives = new LinkedHashMap<>();
        for (String directive : policy.split(";")) {
            String[] parts = directive.strip().split("\\s+", 2);
            if (!parts[0].isEmpty()) {
                directives.put(parts[0].toLowerCase(Locale.ROOT), parts.length > 1 ? parts[1].strip() : "");
            }
        }
        return directives;
    }

    @Test
    void thePageHoldsNoInlineScriptOrHandlerThatItsPolicyWouldBlock() {
        String html = answers.get("the page").body();
        Matcher scripts = Pattern.compile("<script\\b([^>]*)>(.*?)</script>", Pattern.CASE_INSENSITIVE | Pattern.DOTALL).matcher(html);
        int count = 0;
        while (scripts.find()) {
            count++;
            assertTrue(scripts.group(1).contains("src="), "every script is a file: " + scripts.group());
            assertTrue(scripts.group(2).isBlank(), "no inline code: " + scripts.group());
            assertFalse(scripts.group(1).matches("(?is).*src=\"(https?:)?//.*"), "no script from another host: " + scripts.group());
        }
        assertTrue(count > 0, "the page loads its scripts");
        assertFalse(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "no inline event handler");
        assertFalse(html.toLowerCase(Locale.ROOT).contains("javascript:"), "no javascript: URL");
        assertFalse(Pattern.compile("\\sstyle\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "no inline style");
    }

    @Test
    void everyAnswerSaysNosniffAndNoReferrer() {
        List<String> missing = new ArrayList<>();
        answers.forEach((what, reply) -> {
            if (!"nosniff".equalsIgnoreCase(String.valueOf(reply.header("X-Content-Type-Options")))) {
                missing.add(what + " (" + reply.status() + "): X-Content-Type-Options " + reply.header("X-Content-Type-Options"));
            }
            if (!"no-referrer".equalsIgnoreCase(String.valueOf(reply.header("Referrer-Policy")))) {
                missing.add(what + " (" + reply.status() + "): Referrer-Policy " + reply.header("Referrer-Policy"));
            }
        });
        assertTrue(missing.isEmpty(), String.join("\n", missing));
    }

    @Test
    void noAnswerGrantsAnotherOriginAccessNotEvenToAPreflight() {
        List<String> granted = new ArrayList<>();
        answers.forEach((what, reply) -> reply.headers().map().keySet().stream()
                .filter(name -> name.toLowerCase(Locale.ROOT).startsWith("access-control-allow-"))
                .forEach(name -> granted.add(what + ": " + name + ": " + reply.headers().allValues(name))));
        assertTrue(granted.isEmpty(), String.join("\n", granted));
        Reply crossJoin = answers.get("join from another origin");
        assertEquals(200, crossJoin.status(), "a cross-origin form post is served (it carries no cookie to abuse), "
                + "but its answer is not readable by the other origin");
    }

    @Test
    void jsonIsNeverServedAsHtml() {
        List<String> wrong = new ArrayList<>();
        answers.forEach((what, reply) -> {
            String type = String.valueOf(reply.header("Content-Type")).toLowerCase(Locale.ROOT);
            boolean page = what.startsWith("the page") || what.equals("index.html") || what.equals("HEAD of the page")
                    || what.equals("page from another origin");
            String body = reply.body().strip();
            boolean looksJson = body.startsWith("{") || body.startsWith("[");
            if (!page && type.contains("html")) {
                wrong.add(what + " (" + reply.status() + ") as " + type);
            }
            if (looksJson && !type.startsWith("application/json")) {
                wrong.add(what + " (" + reply.status() + "): JSON as " + type);
            }
            if (reply.status() >= 400 && !type.startsWith("application/json")) {
                wrong.add(what + " (" + reply.status() + "): an error as " + type);
            }
        });
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
        JsonNode error = answers.get("404 of an .html path").json();
        assertEquals("not_found", error.get("error").asText());
    }

    @Test
    void answersFromTheHttpLayerCarryTheSameHeaders() throws Exception {
        assumeTrue(ChatTarget.target().equals("jar"), "these answers come from the embedded Jetty, not from the servlets");
        int port = chat.base().getPort();
        List<byte[]> requests = List.of(
                RawHttp.bytes("GET /a%2Fb HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                RawHttp.bytes("GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + "p".repeat(20_000) + "\r\nConnection: close\r\n\r\n"),
                RawHttp.bytes("OPTIONS * HTTP/1.1\r\nHost: x\r\nOrigin: " + EVIL + "\r\nConnection: close\r\n\r\n"),
                RawHttp.bytes("GET / HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n"));
        for (byte[] request : requests) {
            RawHttp.Response response = RawHttp.tryExchange(port, request, false, false, 10_000);
            String what = new String(request, 0, Math.min(40, request.length), StandardCharsets.ISO_8859_1) + " → " + response;
            assertTrue(response.status() >= 400, what);
            assertEquals("nosniff", response.header("X-Content-Type-Options"), what);
            assertEquals("no-referrer", response.header("Referrer-Policy"), what);
            assertTrue(ProtocolErrors.isJsonUtf8(response.header("Content-Type")), what);
            assertTrue(response.headers().keySet().stream().noneMatch(h -> h.startsWith("access-control-")), what);
        }
    }
}
