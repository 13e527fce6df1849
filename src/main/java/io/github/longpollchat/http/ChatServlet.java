package io.github.longpollchat.http;

import io.github.longpollchat.hub.ChatError;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.hub.Refusal;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every endpoint shares: the checks that outrank its own ({@code shutting_down}, then
 * {@code not_found}, then {@code method_not_allowed}), the safety headers, and turning a
 * {@link Refusal} into the protocol's JSON error. Nothing escapes as a container error page.
 */
abstract class ChatServlet extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(ChatServlet.class);

    final transient Hub hub;
    private final Set<String> methods;
    private final String allow;

    ChatServlet(Hub hub, String... methods) {
        this.hub = hub;
        this.methods = Set.of(methods);
        this.allow = String.join(", ", methods);
    }

    @Override
    protected final void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        safetyHeaders(response);
        try {
            if (hub.isShuttingDown()) {
                throw ChatError.SHUTTING_DOWN.refusal();
            }
            if (!exists(request)) {
                throw ChatError.NOT_FOUND.refusal();
            }
            if (!methods.contains(request.getMethod())) {
                response.setHeader("Allow", allow);
                throw ChatError.METHOD_NOT_ALLOWED.refusal();
            }
            handle(request, response);
        } catch (Refusal refusal) {
            JsonReply.refuse(response, refusal);
        } catch (RuntimeException e) {
            LOG.error("unexpected failure on {}", request.getRequestURI(), e);
            if (!response.isCommitted()) {
                response.reset();
                safetyHeaders(response);
                JsonReply.send(response, 500, JsonReply.error(ChatError.INTERNAL, ChatError.INTERNAL.message()));
            }
        }
    }

    private static void safetyHeaders(HttpServletResponse response) {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
    }

    /** Whether the request's path names something this servlet serves; false answers 404. */
    boolean exists(HttpServletRequest request) {
        return true;
    }

    abstract void handle(HttpServletRequest request, HttpServletResponse response) throws IOException;
}
