package io.github.longpollchat.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON writer of the app: events (serialised once per room, see {@link PostedEvent}) and
 * every answer the servlets build; and the reader of events a store kept as JSON.
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

    /** A value read back from JSON that this app wrote. */
    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return WRITER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("JSON that this app wrote always reads back", e);
        }
    }

    /** A string as a JSON string literal, quotes and escapes included, as in every event. */
    public static String string(String value) {
        try {
            return WRITER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always serialises", e);
        }
    }
}
