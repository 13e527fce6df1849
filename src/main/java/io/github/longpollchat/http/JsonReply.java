package io.github.longpollchat.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.longpollchat.hub.ChatError;
import io.github.longpollchat.hub.Refusal;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Writes the protocol's JSON answers: {@code application/json; charset=UTF-8}, never cached. */
final class JsonReply {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String CONTENT_TYPE = "application/json;charset=UTF-8";

    private JsonReply() {
    }

    static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("maps of strings and numbers always serialise", e);
        }
    }

    /** The protocol's error object for a refusal. */
    static byte[] error(ChatError error, String message) {
        return error.json(message);
    }

    /** Sets the status and headers of a JSON answer. */
    static void head(HttpServletResponse response, int status, int length) {
        response.setStatus(status);
        response.setContentType(CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(length);
    }

    static void send(HttpServletResponse response, int status, byte[] body) throws IOException {
        head(response, status, body.length);
        response.getOutputStream().write(body);
    }

    static void send(HttpServletResponse response, Object body) throws IOException {
        send(response, HttpServletResponse.SC_OK, bytes(body));
    }

    static void refuse(HttpServletResponse response, Refusal refusal) throws IOException {
        if (refusal.error() == ChatError.RATE_LIMITED) {
            response.setHeader("Retry-After", Long.toString(refusal.retryAfterSeconds()));
        }
        send(response, refusal.error().status(), error(refusal.error(), refusal.getMessage()));
    }
}
