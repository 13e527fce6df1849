package io.github.longpollchat.http;

import io.github.longpollchat.hub.ChatError;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.hub.PollResult;
import io.github.longpollchat.hub.Refusal;
import io.github.longpollchat.hub.Tokens;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /get_msg}: the long poll. Acknowledges up to the cursor, answers at once when the
 * mailbox holds messages, else parks the request with {@link AsyncContext}, holding no thread,
 * until the hub answers it. The container's async timeout is off: the hub owns every parked
 * poll's fate (see {@code ParkedPoll}), so no container timer can race it.
 */
public final class PollServlet extends ChatServlet {
    private static final Logger LOG = LoggerFactory.getLogger(PollServlet.class);
    static final int MAX_TIMEOUT_SECONDS = 60;

    public PollServlet(Hub hub) {
        super(hub, "GET");
    }

    @Override
    void handle(HttpServletRequest request, HttpServletResponse response) {
        Fields query = QueryString.parse(request.getQueryString(), Field.CLIENT_ID, Field.CURSOR, Field.TIMEOUT);
        query.require(Field.CLIENT_ID);
        String clientId = Tokens.clientId(query.text(Field.CLIENT_ID));
        Long cursor = query.number(Field.CURSOR, 0, Long.MAX_VALUE);
        Long timeout = query.number(Field.TIMEOUT, 0, MAX_TIMEOUT_SECONDS);
        int seconds = (int) Math.min(timeout == null ? Long.MAX_VALUE : timeout, hub.pollTimeoutSeconds());

        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        try {
            PollResult now = hub.poll(clientId, cursor == null ? -1 : cursor, seconds,
                    result -> PollReply.send(async, result));
            if (now != null) {
                PollReply.send(async, now);
            }
        } catch (Refusal refusal) {
            PollReply.write(async, refusal.error().status(), JsonReply.error(refusal.error(), refusal.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("unexpected failure of a poll", e);
            PollReply.write(async, 500, JsonReply.error(ChatError.INTERNAL, ChatError.INTERNAL.message()));
        }
    }

    @Override
    public void destroy() {
        // A container undeploying the app stops servlets first: answer parked polls now.
        hub.shutdown();
    }
}
