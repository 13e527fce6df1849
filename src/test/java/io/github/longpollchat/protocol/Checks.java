package io.github.longpollchat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.ProtocolErrorTable;
import io.github.longpollchat.testing.Reply;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rules every answer of the server must keep, whatever the request: applied by {@link Api} to
 * every reply any protocol test gets, so that no test can miss a 500, an HTML error page, a wrong
 * content type or a missing {@code Cache-Control: no-store}.
 */
final class Checks {
    /** The endpoints whose every answer carries {@code Cache-Control: no-store}. */
    static final Set<String> NO_STORE = Set.of("join", "send_msg", "get_msg");
    static final Set<String> ENDPOINTS = Set.of("join", "send_msg", "get_msg", "leave");

    private Checks() {
    }

    /**
     * Checks what holds for every answer: never a 500 (nor any 5xx but 503), every error a JSON
     * error object with a known code matching its status, every JSON answer {@code application/json}
     * in UTF-8, and {@code no-store} on join, send_msg and get_msg.
     *
     * @param method the request's method (a HEAD answer has no body to read)
     * @param path the request's path relative to the base URL, with its query
     */
    static Reply everyReply(String method, String path, Reply reply) {
        String where = method + " " + path + " -> " + reply;
        assertNotEquals(500, reply.status(), "never a 500: " + where);
        assertTrue(reply.status() < 500 || reply.status() == 503, "no 5xx but 503: " + where);
        String endpoint = endpoint(path);
        if (endpoint != null && NO_STORE.contains(endpoint)) {
            assertNoStore(reply, where);
        }
        boolean hasBody = !method.equals("HEAD") && reply.status() != 204;
        if (reply.status() == 204) {
            assertTrue(reply.body() == null || reply.body().isEmpty(), "204 has no body: " + where);
        }
        if (hasBody && (endpoint != null || reply.status() >= 400)) {
            assertJsonContentType(reply, where);
            JsonNode body = reply.json();
            assertTrue(body.isObject(), "a JSON object: " + where);
            if (reply.status() >= 400) {
                assertErrorObject(reply, body, where);
            }
        } else if (reply.status() >= 400) {
            // A HEAD error has no body to read, but still says it is JSON.
            assertJsonContentType(reply, where);
        }
        if (reply.status() == 405) {
            assertNotNull(reply.header("Allow"), "405 carries an Allow header: " + where);
        }
        if (reply.status() == 429 && "rate_limited".equals(reply.error())) {
            assertNotNull(reply.header("Retry-After"), "429 rate_limited carries a Retry-After header: " + where);
        }
        return reply;
    }

    /**
     * The answer to a request that a container may refuse before the app sees it (a broken request
     * line, an undecodable path). On the jar the container is ours and {@link #everyReply} holds
     * in full: a JSON error, never HTML. Tomcat answers such requests with its own error page,
     * which the app cannot change; there it must still be a 4xx with no stack trace and no server
     * version (docs/security.md's ErrorReportValve settings, which the test harness applies).
     */
    static Reply containerReply(String method, String path, Reply reply) {
        String type = reply.header("Content-Type");
        if (ChatTarget.isJar() || (type != null && type.toLowerCase(Locale.ROOT).contains("json"))) {
            return everyReply(method, path, reply);
        }
        String where = method + " " + path + " -> " + reply;
        assertTrue(reply.status() >= 400 && reply.status() < 500, "a 4xx: " + where);
        assertFalse(reply.body().contains("\tat ") || reply.body().contains("Exception"), "no stack trace: " + where);
        assertFalse(reply.body().contains("Apache Tomcat/"), "no server version: " + where);
        return reply;
    }

    private static void assertErrorObject(Reply reply, JsonNode body, String where) {
        JsonNode status = body.get("status");
        assertTrue(status != null && status.isBoolean() && !status.booleanValue(), "status false: " + where);
        JsonNode error = body.get("error");
        assertTrue(error != null && error.isTextual(), "an error code: " + where);
        Integer expected = ProtocolErrorTable.STATUS.get(error.textValue());
        assertNotNull(expected, "a known error code: " + where);
        assertEquals(expected, reply.status(), "the error code's status: " + where);
        JsonNode message = body.get("message");
        assertTrue(message != null && message.isTextual() && !message.textValue().isBlank(),
                "a message for a person: " + where);
        assertFalse(reply.body().contains("Exception") || reply.body().contains("\tat "),
                "no stack trace: " + where);
    }

    /** {@code application/json} with charset UTF-8, in any spelling. */
    static void assertJsonContentType(Reply reply, String where) {
        String type = reply.header("Content-Type");
        assertNotNull(type, "a Content-Type: " + where);
        String[] parts = type.split(";");
        assertEquals("application/json", parts[0].strip().toLowerCase(Locale.ROOT), "JSON: " + where);
        boolean utf8 = false;
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param.length == 2 && param[0].strip().equalsIgnoreCase("charset")) {
                String charset = param[1].strip().replace("\"", "");
                assertTrue(charset.equalsIgnoreCase("utf-8"), "charset UTF-8: " + where);
                utf8 = true;
            }
        }
        assertTrue(utf8, "a charset=UTF-8 parameter: " + where);
    }

    static void assertNoStore(Reply reply, String where) {
        List<String> values = reply.headers().allValues("Cache-Control");
        boolean noStore = values.stream()
                .flatMap(v -> List.of(v.split(",")).stream())
                .anyMatch(v -> v.strip().equalsIgnoreCase("no-store"));
        assertTrue(noStore, "Cache-Control: no-store: " + where);
    }

    /** The endpoint a relative path names, or null. */
    static String endpoint(String path) {
        String bare = path;
        int query = bare.indexOf('?');
        if (query >= 0) {
            bare = bare.substring(0, query);
        }
        return ENDPOINTS.contains(bare) ? bare : null;
    }

    /** The reply is the protocol error {@code code} with HTTP status {@code status}. */
    static void assertError(Reply reply, int status, String code) {
        assertEquals(status, reply.status(), () -> "status of " + reply);
        assertEquals(code, reply.error(), () -> "error code of " + reply);
        Integer known = ProtocolErrorTable.STATUS.get(code);
        if (known == null) {
            fail("not an error code of the protocol: " + code);
        }
    }

    static void assertOk(Reply reply) {
        assertEquals(200, reply.status(), () -> "expected 200: " + reply);
    }
}
