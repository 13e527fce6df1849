package io.github.longpollchat.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The protocol's JSON: how answers are serialised, and their {@code Content-Type}. */
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
}
