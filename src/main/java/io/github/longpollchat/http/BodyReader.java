package io.github.longpollchat.http;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Reads a POST body without blocking: bytes are taken as the container says they have come, so
 * that a client sending slowly (or not at all) holds no thread, only its connection and the
 * bytes it has sent. At most {@link #MAX_BYTES} are kept; the whole body must arrive within
 * {@link #READ_SECONDS}. Then the bytes go to the endpoint, on a container thread, or the
 * request is refused, and the endpoint never runs.
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
     * The longest a body may take to arrive, from the moment the request is handled: a body
     * trickled a byte at a time keeps the connection's idle timeout from firing, but not this one.
     */
    static final int READ_SECONDS = 10;
    /** Then its answer has this long to be taken before the exchange is cut (the container's async timeout). */
    static final int ANSWER_SECONDS = 10;
    /** Used within one container callback at a time, so one per thread serves every request. */
    private static final ThreadLocal<byte[]> CHUNK = ThreadLocal.withInitial(() -> new byte[8192]);

    private final ServletInputStream in;
    private final Answer answer;
    private final Consumer<byte[]> endpoint;
    /** Null once the body is over the limit: the rest is only counted, then dropped. */
    private volatile ByteArrayOutputStream body = new ByteArrayOutputStream();
    private long swallowed;
    /** Set by whoever ends the reading first: the last byte, a failure, or the deadline. */
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Future<?> deadline;

    private BodyReader(ServletInputStream in, Answer answer, Consumer<byte[]> endpoint) {
        this.in = in;
        this.answer = answer;
        this.endpoint = endpoint;
    }

    /**
     * Starts reading the request's body; the endpoint gets the bytes once all have come.
     *
     * @throws HttpRefusal {@code 413} at once for a body declared too big to drain, or for a client
     *     that asked {@code Expect: 100-continue} and so has not sent it yet
     */
    static void start(HttpServletRequest request, AsyncContext async, Answer answer, BodyDeadlines deadlines,
                      Consumer<byte[]> endpoint) {
        long declared = request.getContentLengthLong();
        if (declared > MAX_BYTES && (declared > MAX_SWALLOWED || expectsContinue(request))) {
            // Reading would tell a 100-continue client to go ahead: the 413 is what spares it the upload.
            throw ErrorCode.BODY_TOO_LARGE.refusal();
        }
        ServletInputStream in;
        try {
            in = request.getInputStream();
        } catch (IOException | RuntimeException e) {
            throw ErrorCode.MALFORMED_BODY.refusal("The body could not be read.");
        }
        BodyReader reader = new BodyReader(in, answer, endpoint);
        async.setTimeout(TimeUnit.SECONDS.toMillis(READ_SECONDS + ANSWER_SECONDS));
        if (declared < 0 && isTomcat(request)) {
            reader.readBlocking();
            return;
        }
        reader.deadline = deadlines.arm(reader::expire, TimeUnit.SECONDS.toMillis(READ_SECONDS));
        if (reader.deadline == null) {
            // The app closed after the servlet's shutting-down check: no body would be read in time.
            throw ErrorCode.SHUTTING_DOWN.refusal();
        }
        in.setReadListener(reader);
    }

    /**
     * Tomcat, reading a chunked body without blocking, closes the connection on a broken chunk and
     * drops the {@code 400} written for it. So there a chunked body (which browsers never send) is
     * read on Tomcat's own thread, as the servlet API did before listeners; Tomcat's pool is its
     * own concern (200 threads by default). Jetty answers a broken chunk itself.
     */
    private static boolean isTomcat(HttpServletRequest request) {
        // By the request's class, not the server's name, which operators often hide.
        return request.getClass().getName().startsWith("org.apache.catalina.");
    }

    private void readBlocking() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READ_SECONDS);
        try {
            int n;
            byte[] chunk = CHUNK.get();
            while (!finished.get() && (n = in.read(chunk)) >= 0) {
                take(chunk, n);
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
            byte[] chunk = CHUNK.get();
            while (!finished.get() && in.isReady()) {
                int n = in.read(chunk);
                if (n < 0) {
                    return; // the container calls onAllDataRead
                }
                take(chunk, n);
            }
        } catch (IOException | RuntimeException e) {
            // A read that fails (a broken chunk, a reset) is the client's doing: refused here rather
            // than left to the container, which would count a listener that throws as a failure.
            refuse(unreadable());
        }
    }

    private void take(byte[] chunk, int n) {
        ByteArrayOutputStream kept = body;
        if (kept != null) {
            kept.write(chunk, 0, n);
            if (kept.size() > MAX_BYTES) {
                swallowed = kept.size();
                body = null;
            }
        } else {
            swallowed += n;
        }
        if (swallowed > MAX_SWALLOWED) {
            refuse(ErrorCode.BODY_TOO_LARGE.refusal());
        }
    }

    @Override
    public void onAllDataRead() {
        ByteArrayOutputStream kept = body;
        if (kept == null) {
            refuse(ErrorCode.BODY_TOO_LARGE.refusal());
        } else if (finished.compareAndSet(false, true)) {
            stopDeadline();
            endpoint.accept(kept.toByteArray());
        }
    }

    /** The body ended before its {@code Content-Length} (the client closed or went silent), or could not be read. */
    @Override
    public void onError(Throwable failure) {
        refuse(failure instanceof TimeoutException ? tooSlow() : unreadable());
    }

    private HttpRefusal tooSlow() {
        return body == null ? ErrorCode.BODY_TOO_LARGE.refusal()
                : ErrorCode.MALFORMED_BODY.refusal("The body arrived too slowly.");
    }

    /** A body over the limit gets its 413 however it ends; any other body that cannot be read is malformed. */
    private HttpRefusal unreadable() {
        return body == null ? ErrorCode.BODY_TOO_LARGE.refusal()
                : ErrorCode.MALFORMED_BODY.refusal("The body ended early or could not be read.");
    }

    private void refuse(HttpRefusal refusal) {
        if (finished.compareAndSet(false, true)) {
            stopDeadline();
            answer.refuse(refusal);
        }
    }

    /** The deadline passed with the body still arriving. */
    private void expire() {
        if (finished.compareAndSet(false, true)) {
            answer.refuse(tooSlow());
        }
    }

    private void stopDeadline() {
        Future<?> pending = deadline;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
