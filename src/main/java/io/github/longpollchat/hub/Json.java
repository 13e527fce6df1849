package io.github.longpollchat.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one JSON writer of the app: events (serialised once per room, see {@link PostedEvent}) and
 * every answer the servlets build.
 */
public final class Json {
    private static final ObjectMapper WRITER = new ObjectMapper();

    private Json() {
    }

    /** The value as UTF-8 JSON: records, maps, lists, strings and numbers. */
    public static byte[] bytes(Object value) {
        try {
            return WRITER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("records, maps and lists of strings and numbers always serialise", e);
        }
    }
}
