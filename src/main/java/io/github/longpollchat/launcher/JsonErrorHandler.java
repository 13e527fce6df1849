package io.github.longpollchat.launcher;

import io.github.longpollchat.hub.ChatError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answer to requests that never reach a servlet (a bad request line, headers too large, an
 * ambiguous path): the protocol's JSON error instead of Jetty's HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final String JSON = "application/json;charset=UTF-8";

    @Override
    protected void generateResponse(Request request, Response response, int code, String message,
                                     Throwable cause, Callback callback) throws IOException {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body(code)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, JSON);
        fields.put(HttpHeader.CACHE_CONTROL, "no-store");
        return ByteBuffer.wrap(body(status));
    }

    /** The protocol's error for a status Jetty chose; statuses the protocol has no code for read as bad input. */
    static byte[] body(int status) {
        ChatError error = switch (status) {
            case 404 -> ChatError.NOT_FOUND;
            case 405 -> ChatError.METHOD_NOT_ALLOWED;
            case 413 -> ChatError.BODY_TOO_LARGE;
            case 415 -> ChatError.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> ChatError.SHUTTING_DOWN;
            // 505 (a bad HTTP version) is the client's fault like any 4xx.
            default -> status >= 500 && status != 505 ? ChatError.INTERNAL : ChatError.MALFORMED_BODY;
        };
        String message = status == 400 || error == ChatError.MALFORMED_BODY
                ? "The request could not be read (HTTP " + status + ")."
                : error.message();
        return ("{\"status\":false,\"error\":\"" + error.code() + "\",\"message\":\""
                + message.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
