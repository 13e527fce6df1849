package io.github.longpollchat.http;

import io.github.longpollchat.hub.ChatError;
import io.github.longpollchat.hub.Refusal;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Reads a POST body without blocking: bytes are taken as the container says they have come, so
 * that a client sending slowly (or not at all) holds no thread. At most {@link #MAX_BYTES} are
 * kept; the whole body must arrive within {@link #READ_SECONDS}. Then the bytes go to the
 * endpoint, on a container thread, or the request is refused, and the endpoint never runs.
 */
final class BodyReader implements ReadListener {
    static final int MAX_BYTES = 64 * 1024;
    /**
     * How much of a body over the limit is read and thrown away before the 413 goes out, as
     * Tomcat's {@code maxSwallowSize} does by default: a client still sending its body when the
     * server closes gets a reset, and may lose the 413 with it. Bigger bodies are not waited for.
     */
    static final int MAX_SWALLOWED = 2 * 1024 * 1024;
    /**
     * The longest a body may take to arrive, and its answer to go out, from the moment the
     * request is handled: a body trickled a byte at a time keeps the connection's idle timeout
     * from firing, but not this one.
     */
    static final int READ_SECONDS = 10;

    private final ServletInputStream in;
    private final Answer answer;
    private final Consumer<byte[]> endpoint;
    private final byte[] chunk = new byte[8192];
    /** Null once the body is over the limit: the rest is only counted, then dropped. */
    private ByteArrayOutputStream body = new ByteArrayOutputStream();
    private long swallowed;
    /** Set by whoever ends the reading first: the last byte, a failure, or the timeout. */
    private final AtomicBoolean finished = new AtomicBoolean();

    private BodyReader(ServletInputStream in, Answer answer, Consumer<byte[]> endpoint) {
        this.in = in;
        this.answer = answer;
        this.endpoint = endpoint;
    }

    /**
     * Starts reading the request's body; the endpoint gets the bytes once all have come.
     *
     * @throws Refusal {@code 413} at once for a body declared too big to drain, or for a client
     *     that asked {@code Expect: 100-continue} and so has not sent it yet
     */
    static void start(HttpServletRequest request, AsyncContext async, Answer answer, Consumer<byte[]> endpoint)
            throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > MAX_BYTES && (declared > MAX_SWALLOWED || expectsContinue(request))) {
            // Reading would tell a 100-continue client to go ahead: the 413 is what spares it the upload.
            throw ChatError.BODY_TOO_LARGE.refusal();
        }
        BodyReader reader = new BodyReader(request.getInputStream(), answer, endpoint);
        async.setTimeout(TimeUnit.SECONDS.toMillis(READ_SECONDS));
        async.addListener(reader.new Timeout());
        if (declared < 0 && isTomcat(request)) {
            reader.readBlocking();
        } else {
            reader.in.setReadListener(reader);
        }
    }

    /**
     * Tomcat, reading a chunked body without blocking, closes the connection on a broken chunk and
     * drops the {@code 400} written for it. So there a chunked body (which browsers never send) is
     * read on Tomcat's own thread, as the servlet API did before listeners; Tomcat's pool is its
     * own concern (200 threads by default). Jetty answers a broken chunk itself.
     */
    private static boolean isTomcat(HttpServletRequest request) {
        return request.getServletContext().getServerInfo().startsWith("Apache Tomcat");
    }

    private void readBlocking() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READ_SECONDS);
        try {
            int n;
            while (!finished.get() && (n = in.read(chunk)) >= 0) {
                take(n);
                if (System.nanoTime() - deadline > 0) {
                    refuse(tooSlow());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Out before this returns: Tomcat closes the connection of a request whose read failed
            // as soon as its handling ends, dropping an answer still waiting to be written.
            if (finished.compareAndSet(false, true)) {
                answer.refuseAtOnce(unreadable());
            }
        }
        onAllDataRead();
    }

    private static boolean expectsContinue(HttpServletRequest request) {
        String expect = request.getHeader("Expect");
        return expect != null && expect.toLowerCase(Locale.ROOT).contains("100-continue");
    }

    @Override
    public void onDataAvailable() {
        try {
            while (!finished.get() && in.isReady()) {
                int n = in.read(chunk);
                if (n < 0) {
                    return; // the container calls onAllDataRead
                }
                take(n);
            }
        } catch (IOException | RuntimeException e) {
            // A read that fails (a broken chunk, a reset) is the client's doing: refused here rather
            // than left to the container, which would count a listener that throws as a failure.
            refuse(unreadable());
        }
    }

    private void take(int n) {
        if (body != null) {
            body.write(chunk, 0, n);
            if (body.size() > MAX_BYTES) {
                swallowed = body.size();
                body = null;
            }
        } else {
            swallowed += n;
        }
        if (swallowed > MAX_SWALLOWED) {
            refuse(ChatError.BODY_TOO_LARGE.refusal());
        }
    }

    @Override
    public void onAllDataRead() {
        if (body == null) {
            refuse(ChatError.BODY_TOO_LARGE.refusal());
        } else if (finished.compareAndSet(false, true)) {
            endpoint.accept(body.toByteArray());
        }
    }

    /** The body ended before its {@code Content-Length} (the client closed or went silent), or could not be read. */
    @Override
    public void onError(Throwable failure) {
        refuse(unreadable());
    }

    private Refusal tooSlow() {
        return body == null ? ChatError.BODY_TOO_LARGE.refusal()
                : ChatError.MALFORMED_BODY.refusal("The body arrived too slowly.");
    }

    /** A body over the limit gets its 413 however it ends; any other body that cannot be read is malformed. */
    private Refusal unreadable() {
        return body == null ? ChatError.BODY_TOO_LARGE.refusal()
                : ChatError.MALFORMED_BODY.refusal("The body ended early or could not be read.");
    }

    private void refuse(Refusal refusal) {
        if (finished.compareAndSet(false, true)) {
            answer.refuse(refusal);
        }
    }

    /** The body (or the answer) took longer than {@link #READ_SECONDS}. */
    private final class Timeout implements AsyncListener {
        @Override
        public void onTimeout(AsyncEvent event) {
            if (finished.compareAndSet(false, true)) {
                answer.refuseAtOnce(tooSlow());
            } else {
                answer.cut();
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
