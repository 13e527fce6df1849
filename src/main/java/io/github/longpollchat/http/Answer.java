package io.github.longpollchat.http;

import io.github.longpollchat.hub.ChatError;
import io.github.longpollchat.hub.Refusal;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one answer to one request, written without blocking and then completed. Every endpoint
 * answers through it: a client that reads slowly, or not at all, holds no thread while its
 * answer waits to go out, so that a small request pool is safe, and the thread that wakes a
 * parked poll (a sender fanning out to a room) never waits on anyone's socket.
 *
 * <p>Only the first answer is written; any later one is dropped, so that two parties racing to
 * answer (a handler and the body's timeout) cannot interleave two answers.
 */
final class Answer {
    private static final Logger LOG = LoggerFactory.getLogger(Answer.class);
    private static final int CHUNK = 16 * 1024;

    private final AsyncContext async;
    private final HttpServletResponse response;
    private final AtomicBoolean answered = new AtomicBoolean();

    Answer(AsyncContext async) {
        this.async = async;
        this.response = (HttpServletResponse) async.getResponse();
    }

    /** The response, for headers an endpoint adds before it answers. */
    HttpServletResponse response() {
        return response;
    }

    /** A JSON body, never cached. */
    void json(int status, byte[] body) {
        if (claim()) {
            jsonHead();
            write(status, body, true);
        }
    }

    private void jsonHead() {
        response.setContentType(JsonReply.CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
    }

    /** 200 with this object as JSON. */
    void json(Object body) {
        json(HttpServletResponse.SC_OK, JsonReply.bytes(body));
    }

    /** The protocol's error object for a refusal, with {@code Retry-After} when rate-limited. */
    void refuse(Refusal refusal) {
        if (refusal.error() == ChatError.RATE_LIMITED && !answered.get()) {
            response.setHeader("Retry-After", Long.toString(refusal.retryAfterSeconds()));
        }
        error(refusal.error(), refusal.getMessage());
    }

    /**
     * A refusal that must be out before the container callback it is written from returns: a
     * timeout (else the container answers 500 itself), or a body the container failed to read.
     * Written and flushed with plain writes, which for the first bytes of an answer of some
     * hundred bytes do not wait.
     */
    void refuseAtOnce(Refusal refusal) {
        if (!claim()) {
            complete();
            return;
        }
        byte[] body = refusal.error().json(refusal.getMessage());
        try {
            jsonHead();
            response.setStatus(refusal.error().status());
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            // Out now: a container that has seen the request fail (Tomcat, on a bad chunk) closes
            // the connection as this callback returns, dropping what is still buffered.
            response.flushBuffer();
        } catch (IOException | RuntimeException e) {
            LOG.debug("refusal not written", e);
        }
        complete();
    }

    void error(ChatError error, String message) {
        json(error.status(), error.json(message));
    }

    /** 500, for a bug: whatever the endpoint had set on the response is dropped. */
    void internalError() {
        if (!answered.get() && !response.isCommitted()) {
            response.reset();
            ChatServlet.safetyHeaders(response);
            error(ChatError.INTERNAL, ChatError.INTERNAL.message());
        } else {
            complete();
        }
    }

    /** 204, never cached. */
    void noContent() {
        if (claim()) {
            response.setHeader("Cache-Control", "no-store");
            write(HttpServletResponse.SC_NO_CONTENT, null, false);
        }
    }

    /**
     * These bytes, with the headers already set on {@link #response()} and a
     * {@code Content-Length}; for {@code HEAD}, only the headers.
     */
    void bytes(byte[] body, boolean withBody) {
        if (claim()) {
            write(HttpServletResponse.SC_OK, body, withBody);
        }
    }

    /** Ends the exchange where it stands: for an answer that a client has not taken in time. */
    void cut() {
        answered.set(true);
        complete();
    }

    /** Runs this once the exchange is over, however it ended. */
    void whenDone(Runnable action) {
        async.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                action.run();
            }

            @Override
            public void onTimeout(AsyncEvent event) {
            }

            @Override
            public void onError(AsyncEvent event) {
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
    }

    private boolean claim() {
        return answered.compareAndSet(false, true);
    }

    private void write(int status, byte[] body, boolean withBody) {
        try {
            response.setStatus(status);
            if (body == null) {
                complete();
                return;
            }
            response.setContentLength(body.length);
            if (!withBody || body.length == 0) {
                complete();
                return;
            }
            ServletOutputStream out = response.getOutputStream();
            out.setWriteListener(new Writer(out, body));
        } catch (IOException | RuntimeException e) {
            LOG.debug("answer not written", e);
            complete();
        }
    }

    private void complete() {
        try {
            async.complete();
        } catch (IllegalStateException alreadyDone) {
            LOG.trace("exchange already completed", alreadyDone);
        }
    }

    /** Writes while the connection takes bytes; the container calls back when it takes more. */
    private final class Writer implements WriteListener {
        private final ServletOutputStream out;
        private final byte[] body;
        private int offset;

        Writer(ServletOutputStream out, byte[] body) {
            this.out = out;
            this.body = body;
        }

        @Override
        public void onWritePossible() throws IOException {
            while (out.isReady()) {
                if (offset == body.length) {
                    complete();
                    return;
                }
                int length = Math.min(CHUNK, body.length - offset);
                out.write(body, offset, length);
                offset += length;
            }
        }

        @Override
        public void onError(Throwable failure) {
            LOG.debug("answer not written (client gone?)", failure);
            complete();
        }
    }
}
