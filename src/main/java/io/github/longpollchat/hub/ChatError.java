package io.github.longpollchat.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every error code of the protocol with its HTTP status and a default text for a person. Declared
 * in the protocol's order of precedence: when several apply, the one declared first wins.
 */
public enum ChatError {
    SHUTTING_DOWN(503, "shutting_down", "The server is stopping; try again shortly."),
    NOT_FOUND(404, "not_found", "No such path."),
    METHOD_NOT_ALLOWED(405, "method_not_allowed", "This path does not take that method."),
    BODY_TOO_LARGE(413, "body_too_large", "The request body is over 64 KiB."),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type",
            "Send application/x-www-form-urlencoded or application/json, in UTF-8."),
    MALFORMED_BODY(400, "malformed_body", "The request body could not be read."),
    MISSING_FIELD(400, "missing_field", "A required field is missing."),
    INVALID_CLIENT_ID(400, "invalid_client_id", "clientId is not a valid client id."),
    INVALID_NAME(400, "invalid_name", "The name must be 1-32 characters, with no control characters."),
    INVALID_ROOM(400, "invalid_room", "The room must be 1-32 characters of A-Z, a-z, 0-9, _ and -."),
    INVALID_TEXT(400, "invalid_text", "The text is empty, too long, or has control characters."),
    INVALID_CURSOR(400, "invalid_cursor", "cursor must be a whole number, 0 or more."),
    INVALID_TIMEOUT(400, "invalid_timeout", "timeout must be a whole number of seconds from 0 to 60."),
    INVALID_MSG_ID(400, "invalid_msg_id", "msgId must be 1-64 characters of A-Z, a-z, 0-9, _ and -."),
    INVALID_GRACE(400, "invalid_grace", "grace must be a whole number of seconds from 0 to 10."),
    UNKNOWN_CLIENT(410, "unknown_client", "No live client has that clientId; join again."),
    NAME_TAKEN(409, "name_taken", "That name is in use in this room."),
    RATE_LIMITED(429, "rate_limited", "Too many messages; wait a moment."),
    SERVER_FULL(503, "server_full", "The server is full; try again later."),
    INTERNAL(500, "internal_error", "Something went wrong on the server.");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int status;
    private final String code;
    private final String message;

    ChatError(int status, String code, String message) {
        this.status = status;
        this.code = code;
        this.message = message;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String message() {
        return message;
    }

    /**
     * The protocol's error object, {@code {"status": false, "error": …, "message": …}}, as UTF-8
     * JSON: the one place it is built, for the servlets and for the jar's container-level errors.
     */
    public byte[] json(String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", false);
        body.put("error", code);
        body.put("message", message);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }

    /** A refusal with this code and its default message. */
    public Refusal refusal() {
        return new Refusal(this, message);
    }

    /** A refusal with this code and a more specific message. */
    public Refusal refusal(String detail) {
        return new Refusal(this, detail);
    }
}
