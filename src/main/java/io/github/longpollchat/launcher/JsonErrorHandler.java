package io.github.longpollchat.launcher;

import io.github.longpollchat.http.ErrorCode;
import io.github.longpollchat.http.JsonReply;
import io.github.longpollchat.http.SafetyHeaders;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answer to requests that never reach a servlet (a bad request line, headers too large, an
 * ambiguous path, {@code OPTIONS *}, {@code CONNECT}): the protocol's JSON error, with the same
 * safety headers as the servlets' answers, instead of Jetty's HTML page or empty body.
 */
final class JsonErrorHandler extends ErrorHandler {
    /** Jetty writes an error body only for GET, POST and HEAD by default; every method gets our JSON. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message,
                                     Throwable cause, Callback callback) throws IOException {
        headers(response.getHeaders());
        response.write(true, ByteBuffer.wrap(body(code)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        headers(fields);
        return ByteBuffer.wrap(body(status));
    }

    private static void headers(HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, JsonReply.CONTENT_TYPE);
        fields.put(HttpHeader.CACHE_CONTROL, JsonReply.CACHE_CONTROL);
        SafetyHeaders.ALL.forEach(fields::put);
    }

    /**
     * The protocol's error for a status Jetty chose. Only a 500 is the server's own fault; every
     * other status Jetty picks on its own (400, 414, 431, 501 for an unknown transfer coding, 505
     * for a bad HTTP version, ...) is about the request, so it reads as bad input.
     */
    static byte[] body(int status) {
        ErrorCode error = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.BODY_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> ErrorCode.SHUTTING_DOWN;
            case 500 -> ErrorCode.INTERNAL;
            default -> ErrorCode.MALFORMED_BODY;
        };
        String message = error == ErrorCode.MALFORMED_BODY
                ? "The request could not be read (HTTP " + status + ")."
                : error.message();
        return error.json(message);
    }
}
