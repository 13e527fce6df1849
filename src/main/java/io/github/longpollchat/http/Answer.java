package io.github.longpollchat.http;

import io.github.longpollchat.hub.Json;
import io.github.longpollchat.metrics.ChatMetrics;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one answer to one request, written without blocking and then completed. Every endpoint
 * answers through it: a client that reads slowly, or not at all, holds no thread while its
 * answer waits to go out, so that a small request pool is safe, and the thread that wakes a
 * parked poll (a sender fanning out to a room) never waits on anyone's socket.
 *
 * <p>Only the first answer is written; any later one is dropped, also once the exchange has
 * ended some other way (the client went away), so that two parties racing to answer cannot
 * interleave. Answers are written from threads the container does not own (a sender waking a
 * poll, the sweep, the body deadline's timer) while the container may end the exchange on its
 * own (its async timeout, a client gone): every touch of the response, and the container's
 * telling that it ends the exchange, hold this object's lock, so a write in progress finishes
 * before the container can complete and recycle the response, and no write starts after.
 * Answering never throws: the hub answers polls from inside loops (a fan-out, the sweep,
 * shutdown) that must go on whatever one client's connection does. Every answer claimed is
 * counted in the metrics: its body's size, and its error code if it is an error.
 */
final class Answer {
    private static final Logger LOG = LoggerFactory.getLogger(Answer.class);
    private static final int CHUNK = 16 * 1024;
    private static final Consumer<HttpServletResponse> JSON = response -> {
        response.setContentType(JsonReply.CONTENT_TYPE);
        response.setHeader("Cache-Control", JsonReply.CACHE_CONTROL);
    };
    private static final Consumer<HttpServletResponse> NO_STORE = response -> response.setHeader("Cache-Control", JsonReply.CACHE_CONTROL);
    private static final Consumer<HttpServletResponse> AS_SET = response -> { };

    private final AsyncContext async;
    private final HttpServletResponse response;
    private final ChatMetrics metrics;
    private final String endpoint;
    private final AtomicBoolean answered = new AtomicBoolean();
    /** The container ended the exchange, or is ending it: the response is no longer ours to touch. Guarded by this. */
    private boolean ended;
    /** The body being written, if any. Guarded by this. */
    private Writer writer;
    private volatile Runnable whenDone;

    /**
     * For a request in async mode, before the dispatch that started it returns.
     *
     * @param endpoint the endpoint's name, for the metrics
     */
    Answer(AsyncContext async, ChatMetrics metrics, String endpoint) {
        this.async = async;
        this.response = (HttpServletResponse) async.getResponse();
        this.metrics = metrics;
        this.endpoint = endpoint;
        async.addListener(new Ending());
    }

    /** The response, for headers an endpoint adds before it answers. */
    HttpServletResponse response() {
        return response;
    }

    /** A JSON body, never cached. */
    void json(int status, byte[] body) {
        send(null, status, JSON, body, true);
    }

    /** 200 with this object as JSON. */
    void json(Object body) {
        json(HttpServletResponse.SC_OK, Json.bytes(body));
    }

    /** The protocol's error object for a refusal, with {@code Retry-After} when rate-limited. */
    void refuse(HttpRefusal refusal) {
        Consumer<HttpServletResponse> head = refusal.code != ErrorCode.RATE_LIMITED ? JSON : response -> {
            JSON.accept(response);
            response.setHeader("Retry-After", Long.toString(refusal.retryAfterSeconds));
        };
        send(refusal.code, refusal.code.status(), head, refusal.code.json(refusal.getMessage()), true);
    }

    /** The protocol's error object for this code, with its default text. */
    void error(ErrorCode code) {
        send(code, code.status(), JSON, code.json(code.message()), true);
    }

    /**
     * A refusal written with plain writes and flushed before this returns, for the request's own
     * thread while the container still has it: Tomcat, once a read of the body has failed, closes
     * the connection as that thread lets go of the request, dropping any answer not yet written.
     * The first bytes of an answer of some hundred bytes on a connection still sending its
     * request do not wait.
     */
    void refuseAtOnce(HttpRefusal refusal) {
        if (!claim()) {
            return;
        }
        byte[] body = refusal.code.json(refusal.getMessage());
        tally(refusal.code, body.length);
        synchronized (this) {
            if (ended) {
                return;
            }
            try {
                JSON.accept(response);
                response.setStatus(refusal.code.status());
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
                response.flushBuffer();
            } catch (IOException | RuntimeException e) {
                LOG.debug("refusal not written", e);
            }
            complete();
        }
    }

    /** 500, for a bug: whatever the endpoint had set on the response is dropped. */
    void internalError() {
        if (!claim()) {
            return;
        }
        byte[] body = ErrorCode.INTERNAL.json(ErrorCode.INTERNAL.message());
        tally(ErrorCode.INTERNAL, body.length);
        synchronized (this) {
            if (ended) {
                return;
            }
            try {
                response.reset();
                SafetyHeaders.set(response);
            } catch (RuntimeException e) {
                LOG.debug("response not reset", e);
            }
            write(ErrorCode.INTERNAL.status(), JSON, body, true);
        }
    }

    /** 204, never cached. */
    void noContent() {
        send(null, HttpServletResponse.SC_NO_CONTENT, NO_STORE, null, false);
    }

    /**
     * 200 with these bytes, the headers already set on {@link #response()} and a
     * {@code Content-Length}; for {@code HEAD}, only the headers.
     */
    void bytes(byte[] body, boolean withBody) {
        send(null, HttpServletResponse.SC_OK, AS_SET, body, withBody);
    }

    /**
     * Ends the exchange where it stands: the container gave up on it, or its answer was not taken
     * in time. Under the lock, so that it waits for a write in progress and no write follows. An
     * answer already under way first gets out what the connection takes now: the container's
     * timeout can fire just after an answer was begun, before its first bytes went out.
     */
    private synchronized void cut() {
        if (writer != null && !ended) {
            writer.writeWhileReady();
        }
        ended = true;
        answered.set(true);
        complete();
    }

    /** Runs this once the exchange is over, however it ended. */
    void whenDone(Runnable action) {
        this.whenDone = action;
    }

    private boolean claim() {
        return answered.compareAndSet(false, true);
    }

    /** @param error the error code the answer is, or null */
    private void send(ErrorCode error, int status, Consumer<HttpServletResponse> head, byte[] body, boolean withBody) {
        if (claim()) {
            tally(error, body == null || !withBody ? 0 : body.length);
            write(status, head, body, withBody);
        }
    }

    /** Counts a claimed answer. */
    private void tally(ErrorCode error, int bytes) {
        if (error != null) {
            metrics.error(error.code());
        }
        metrics.answered(endpoint, bytes);
    }

    /** Writes a claimed answer; a body of null sends none and no {@code Content-Length}. */
    private synchronized void write(int status, Consumer<HttpServletResponse> head, byte[] body, boolean withBody) {
        if (ended) {
            return;
        }
        try {
            head.accept(response);
            response.setStatus(status);
            if (body != null) {
                response.setContentLength(body.length);
            }
            if (body == null || !withBody || body.length == 0) {
                complete();
                return;
            }
            ServletOutputStream out = response.getOutputStream();
            writer = new Writer(out, body);
            out.setWriteListener(writer);
        } catch (IOException | RuntimeException e) {
            LOG.debug("answer not written", e);
            complete();
        }
    }

    private void complete() {
        try {
            async.complete();
        } catch (RuntimeException alreadyDone) {
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
            synchronized (Answer.this) {
                if (!ended && writeWhileReady() && out.isReady()) {
                    complete();
                }
            }
        }

        /** @return whether the whole body has been handed to the connection */
        private boolean writeWhileReady() {
            try {
                while (offset < body.length && out.isReady()) {
                    int length = Math.min(CHUNK, body.length - offset);
                    out.write(body, offset, length);
                    offset += length;
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("answer not written (client gone?)", e);
                offset = body.length;
            }
            return offset == body.length;
        }

        @Override
        public void onError(Throwable failure) {
            LOG.debug("answer not written (client gone?)", failure);
            complete();
        }
    }

    /** How the container tells that the exchange is over, or must be: no answer after that. */
    private final class Ending implements AsyncListener {
        @Override
        public void onComplete(AsyncEvent event) {
            synchronized (Answer.this) {
                ended = true;
            }
            answered.set(true);
            Runnable action = whenDone;
            if (action != null) {
                action.run();
            }
        }

        /** The backstop of {@link BodyReader}'s deadline: an answer not taken in time is cut. */
        @Override
        public void onTimeout(AsyncEvent event) {
            cut();
        }

        @Override
        public void onError(AsyncEvent event) {
            LOG.debug("exchange failed (client gone?)", event.getThrowable());
            cut();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
