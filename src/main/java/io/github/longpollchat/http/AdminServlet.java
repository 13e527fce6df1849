package io.github.longpollchat.http;

import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.hub.Json;
import io.github.longpollchat.metrics.ChatMetrics;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's endpoints: {@code /metrics} (Prometheus' text format), {@code /healthz} (the
 * process answers) and {@code /readyz} (it takes chat requests: not stopping, and Redis answers
 * when the chat is kept there). To a caller that {@link AdminCallers} does not allow they do not
 * exist: {@code 404 not_found}, as for any unknown path. Not a {@link ChatServlet}: they answer
 * while the server stops and whatever the {@code Host}, as a prober needs; the readiness check and
 * the scrape wait for Redis without holding a thread, at most as long as a chat call may take.
 */
final class AdminServlet extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServlet.class);
    static final String METRICS_PATH = "/metrics";
    static final String HEALTH_PATH = "/healthz";
    static final String READY_PATH = "/readyz";
    /** Where the admin endpoints are mapped; the jar's launcher serves them on its admin port only. */
    static final Set<String> PATHS = Set.of(METRICS_PATH, HEALTH_PATH, READY_PATH);
    private static final byte[] OK = Json.bytes(Map.of("status", true));

    private final transient Hub hub;
    private final transient ChatMetrics metrics;
    private final transient AdminCallers callers;

    AdminServlet(Hub hub, ChatMetrics metrics, AdminCallers callers) {
        this.hub = hub;
        this.metrics = metrics;
        this.callers = callers;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) {
        SafetyHeaders.set(response);
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        Answer answer = new Answer(async, metrics, getServletName());
        if (!callers.allow(request)) {
            answer.error(ErrorCode.NOT_FOUND);
            return;
        }
        if (!request.getMethod().equals("GET")) {
            response.setHeader("Allow", "GET");
            answer.error(ErrorCode.METHOD_NOT_ALLOWED);
            return;
        }
        switch (request.getServletPath()) {
            case HEALTH_PATH -> answer.json(HttpServletResponse.SC_OK, OK);
            case READY_PATH -> ready(answer);
            default -> scrape(answer);
        }
    }

    /** The metrics, with the hub's counts as they are now (none when Redis does not answer). */
    private void scrape(Answer answer) {
        hub.measure().whenComplete((counts, unavailable) -> {
            try {
                answer.response().setContentType(ChatMetrics.CONTENT_TYPE);
                answer.response().setHeader("Cache-Control", JsonReply.CACHE_CONTROL);
                answer.bytes(metrics.scrape(unavailable == null ? counts : null), true);
            } catch (RuntimeException e) {
                LOG.error("metrics not written", e);
                answer.internalError();
            }
        });
    }

    private void ready(Answer answer) {
        if (hub.isShuttingDown()) {
            answer.error(ErrorCode.SHUTTING_DOWN);
            return;
        }
        hub.measure().whenComplete((counts, unavailable) -> {
            if (unavailable != null) {
                answer.error(ErrorCode.STORE_UNAVAILABLE);
            } else {
                answer.json(HttpServletResponse.SC_OK, OK);
            }
        });
    }
}
