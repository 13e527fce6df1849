package io.github.longpollchat.http;

import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.hub.Tokens;
import io.github.longpollchat.metrics.ChatMetrics;
import jakarta.servlet.http.HttpServletRequest;

/**
 * {@code POST /leave}: ends a client at once, or after a grace period that any later request of
 * it cancels (so that a reload resumes while a closed tab leaves). 204 also for an unknown client.
 */
public final class LeaveServlet extends ChatServlet {
    static final int MAX_GRACE_SECONDS = 10;

    public LeaveServlet(Hub hub, BodyDeadlines deadlines, AllowedHosts hosts, ChatMetrics metrics) {
        super(hub, deadlines, hosts, metrics, "POST");
    }

    @Override
    void handle(HttpServletRequest request, Fields fields, Answer answer) {
        fields.require(Field.CLIENT_ID);
        String clientId = Tokens.clientId(fields.text(Field.CLIENT_ID));
        Long grace = fields.number(Field.GRACE, 0, MAX_GRACE_SECONDS);
        respond(request, answer, hub.leave(clientId, grace == null ? 0 : grace.intValue()), done -> answer.noContent());
    }
}
