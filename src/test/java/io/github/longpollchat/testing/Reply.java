package io.github.longpollchat.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;

/** One HTTP answer as a test sees it: status, headers and body, with the body readable as JSON. */
public record Reply(int status, HttpHeaders headers, String body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Reply of(HttpResponse<String> response) {
        return new Reply(response.statusCode(), response.headers(), response.body());
    }

    public JsonNode json() {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON (status " + status + "): " + body, e);
        }
    }

    public String header(String name) {
        return headers.firstValue(name).orElse(null);
    }

    /** The protocol's error code, or null for an answer that is not an error object. */
    public String error() {
        JsonNode node = json().get("error");
        return node == null ? null : node.asText();
    }

    @Override
    public String toString() {
        return status + " " + body;
    }
}
