package io.github.longpollchat.http;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.hub.Tokens;
import io.github.longpollchat.metrics.ChatMetrics;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /get_msg}: the long poll. Acknowledges up to the cursor, answers at once when the
 * mailbox holds messages, else leaves the request parked in async mode, holding no thread, until
 * the hub answers it. The container's async timeout is off: the hub owns every parked poll's fate
 * (see {@code ParkedPoll}), so no container timer can race it.
 */
public final class PollServlet extends ChatServlet {
    /** A poll's {@code timeout} goes up to the largest poll timeout any server may have; larger is refused. */
    static final int MAX_TIMEOUT_SECONDS = Option.POLL_TIMEOUT.max();
    private static final long DRAIN_MILLIS = 2000;

    /** Polls started and not yet completed, so that {@link #destroy()} can wait for their answers. */
    private final AtomicInteger open = new AtomicInteger();

    public PollServlet(Hub hub, BodyDeadlines deadlines, AllowedHosts hosts, ChatMetrics metrics) {
        super(hub, deadlines, hosts, metrics, "GET");
    }

    @Override
    void handle(HttpServletRequest request, Fields none, Answer answer) {
        Fields query = QueryString.parse(request.getQueryString(), Field.CLIENT_ID, Field.CURSOR, Field.TIMEOUT);
        query.require(Field.CLIENT_ID);
        String clientId = Tokens.clientId(query.text(Field.CLIENT_ID));
        Long cursor = query.number(Field.CURSOR, 0, Long.MAX_VALUE);
        Long timeout = query.number(Field.TIMEOUT, 0, MAX_TIMEOUT_SECONDS);
        int seconds = (int) Math.min(timeout == null ? Long.MAX_VALUE : timeout, hub.pollTimeoutSeconds());

        long arrived = System.nanoTime();
        open.incrementAndGet();
        answer.whenDone(open::decrementAndGet);
        respond(request, answer, hub.poll(clientId, cursor == null ? -1 : cursor, seconds), result -> {
            if (!result.gone()) {
                metrics.pollAnswered(System.nanoTime() - arrived, result.messages().size());
            }
            PollReply.send(answer, result);
        });
    }

    /**
     * A container undeploying the app stops servlets first: answer parked polls now, and give
     * those answers (written without blocking) a moment to go out before the app is torn down.
     */
    @Override
    public void destroy() {
        hub.shutdown();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
        try {
            while (open.get() > 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
