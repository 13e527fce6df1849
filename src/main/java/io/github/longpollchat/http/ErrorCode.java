package io.github.longpollchat.http;

import io.github.longpollchat.hub.Json;
import io.github.longpollchat.hub.Reason;
import io.github.longpollchat.hub.Refusal;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every error code of the protocol with its HTTP status and a default text for a person,
 * declared in the protocol's order of precedence (when several apply, the one declared first
 * wins). The codes of the chat's own rules come from the hub's {@link Reason}s; the rest are
 * about the request itself.
 */
public enum ErrorCode {
    SHUTTING_DOWN(503, "shutting_down", Reason.SHUTTING_DOWN),
    HOST_NOT_ALLOWED(421, "host_not_allowed", "This server does not answer for that host name."),
    NOT_FOUND(404, "not_found", "No such path."),
    METHOD_NOT_ALLOWED(405, "method_not_allowed", "This path does not take that method."),
    BODY_TOO_LARGE(413, "body_too_large", "The request body is over " + BodyReader.MAX_BYTES / 1024 + " KiB."),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type",
            "Send application/x-www-form-urlencoded or application/json, in UTF-8."),
    MALFORMED_BODY(400, "malformed_body", "The request body could not be read."),
    MISSING_FIELD(400, "missing_field", "A required field is missing."),
    INVALID_CLIENT_ID(400, "invalid_client_id", Reason.INVALID_CLIENT_ID),
    INVALID_NAME(400, "invalid_name", Reason.INVALID_NAME),
    INVALID_ROOM(400, "invalid_room", Reason.INVALID_ROOM),
    INVALID_TEXT(400, "invalid_text", Reason.INVALID_TEXT),
    INVALID_CURSOR(400, "invalid_cursor", "cursor must be a whole number, 0 or more."),
    INVALID_TIMEOUT(400, "invalid_timeout",
            "timeout must be a whole number of seconds from 0 to " + PollServlet.MAX_TIMEOUT_SECONDS + "."),
    INVALID_MSG_ID(400, "invalid_msg_id", Reason.INVALID_MSG_ID),
    INVALID_GRACE(400, "invalid_grace",
            "grace must be a whole number of seconds from 0 to " + LeaveServlet.MAX_GRACE_SECONDS + "."),
    STORE_UNAVAILABLE(503, "store_unavailable", Reason.STORE_UNAVAILABLE),
    UNKNOWN_CLIENT(410, "unknown_client", Reason.UNKNOWN_CLIENT),
    NAME_TAKEN(409, "name_taken", Reason.NAME_TAKEN),
    RATE_LIMITED(429, "rate_limited", Reason.RATE_LIMITED),
    TOO_MANY_CLIENTS(429, "too_many_clients", Reason.TOO_MANY_CLIENTS),
    SERVER_FULL(503, "server_full", Reason.SERVER_FULL),
    INTERNAL(500, "internal_error", "Something went wrong on the server.");

    private static final Map<Reason, ErrorCode> BY_REASON = new EnumMap<>(Reason.class);

    static {
        for (ErrorCode code : values()) {
            if (code.reason != null) {
                BY_REASON.put(code.reason, code);
            }
        }
        for (Reason reason : Reason.values()) {
            if (!BY_REASON.containsKey(reason)) {
                throw new IllegalStateException("no error code for the hub's reason " + reason);
            }
        }
    }

    private final int status;
    private final String code;
    private final String message;
    private final Reason reason;

    ErrorCode(int status, String code, String message) {
        this.status = status;
        this.code = code;
        this.message = message;
        this.reason = null;
    }

    ErrorCode(int status, String code, Reason reason) {
        this.status = status;
        this.code = code;
        this.message = reason.message();
        this.reason = reason;
    }

    /** The code for a reason the hub refused with. */
    static ErrorCode of(Reason reason) {
        return BY_REASON.get(reason);
    }

    public int status() {
        return status;
    }

    /** The protocol's {@code error} value, e.g. {@code name_taken}. */
    public String code() {
        return code;
    }

    /** The default text for a person. */
    public String message() {
        return message;
    }

    /**
     * The protocol's error object, {@code {"status": false, "error": …, "message": …}}, as UTF-8
     * JSON: the one place it is built, for the servlets and for the jar's container-level errors.
     */
    public byte[] json(String text) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", false);
        body.put("error", code);
        body.put("message", text);
        return Json.bytes(body);
    }

    /** A refusal with this code and its default text. */
    HttpRefusal refusal() {
        return new HttpRefusal(this, message, 0);
    }

    /** A refusal with this code and a more specific text. */
    HttpRefusal refusal(String detail) {
        return new HttpRefusal(this, detail, 0);
    }

    /** The refusal the servlets answer for one of the hub's. */
    static HttpRefusal refusal(Refusal refusal) {
        return new HttpRefusal(of(refusal.reason()), refusal.getMessage(), refusal.retryAfterSeconds());
    }
}
