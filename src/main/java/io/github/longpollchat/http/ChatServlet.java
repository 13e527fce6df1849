package io.github.longpollchat.http;

import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.hub.Refusal;
import io.github.longpollchat.metrics.ChatMetrics;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every endpoint shares: the checks that outrank its own ({@code shutting_down}, then
 * {@code not_found}, then {@code method_not_allowed}), the safety headers, reading a POST's body,
 * and turning a refusal (the hub's {@link Refusal} or the servlets' own {@link HttpRefusal}) into
 * the protocol's JSON error. Nothing escapes as a container error page.
 *
 * <p>No request holds a thread while it waits on its client: each one goes into async mode at
 * once, its body is read as it arrives ({@link BodyReader}) and its answer written as the client
 * takes it ({@link Answer}). A thread is busy only while there is work to do, so that a small pool
 * serves any number of slow clients. (One exception, on Tomcat only: see {@link BodyReader}.)
 */
abstract class ChatServlet extends HttpServlet {
    private static final Logger LOG = LoggerFactory.getLogger(ChatServlet.class);

    final transient Hub hub;
    private final transient BodyDeadlines deadlines;
    private final AllowedHosts hosts;
    final transient ChatMetrics metrics;
    private final Set<String> methods;
    private final String allow;

    ChatServlet(Hub hub, BodyDeadlines deadlines, AllowedHosts hosts, ChatMetrics metrics, String... methods) {
        this.hub = hub;
        this.deadlines = deadlines;
        this.hosts = hosts;
        this.metrics = metrics;
        this.methods = Set.of(methods);
        this.allow = String.join(", ", methods);
    }

    @Override
    protected final void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        SafetyHeaders.set(response);
        AsyncContext async;
        try {
            async = request.startAsync();
        } catch (IllegalStateException e) {
            // Something in front of the app (a container-wide filter) does not support async mode.
            LOG.error("async mode refused on {}; every endpoint needs it", request.getRequestURI(), e);
            response.setStatus(ErrorCode.INTERNAL.status());
            response.setContentType(JsonReply.CONTENT_TYPE);
            response.getOutputStream().write(ErrorCode.INTERNAL.json(ErrorCode.INTERNAL.message()));
            return;
        }
        async.setTimeout(0);
        Answer answer = new Answer(async, metrics, getServletName());
        run(request, answer, () -> {
            if (hub.isShuttingDown()) {
                throw ErrorCode.SHUTTING_DOWN.refusal();
            }
            if (!hosts.allow(request.getHeader("Host"))) {
                throw ErrorCode.HOST_NOT_ALLOWED.refusal();
            }
            if (!exists(request)) {
                throw ErrorCode.NOT_FOUND.refusal();
            }
            if (!methods.contains(request.getMethod())) {
                response.setHeader("Allow", allow);
                throw ErrorCode.METHOD_NOT_ALLOWED.refusal();
            }
            if (request.getMethod().equals("POST")) {
                BodyReader.start(request, async, answer, deadlines,
                        body -> run(request, answer, () -> handle(request, RequestBody.parse(request, body), answer)));
            } else {
                handle(request, Fields.none(), answer);
            }
        });
    }

    /**
     * Answers once the hub's stage completes, on whichever thread completes it (at once for the
     * memory engine): {@code onResult} with its result, or the refusal it failed with.
     */
    static <T> void respond(HttpServletRequest request, Answer answer, CompletionStage<T> stage, Consumer<T> onResult) {
        stage.whenComplete((result, failure) -> run(request, answer, () -> {
            if (failure != null) {
                throw unwrapped(failure);
            }
            onResult.accept(result);
        }));
    }

    private static RuntimeException unwrapped(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
    }

    /** Runs an endpoint's work: a refusal becomes its JSON error, a bug a logged 500. */
    private static void run(HttpServletRequest request, Answer answer, Runnable work) {
        try {
            work.run();
        } catch (Refusal refusal) {
            answer.refuse(ErrorCode.refusal(refusal));
        } catch (HttpRefusal refusal) {
            answer.refuse(refusal);
        } catch (RuntimeException e) {
            LOG.error("unexpected failure on {}", request.getRequestURI(), e);
            answer.internalError();
        }
    }

    /** Whether the request's path names something this servlet serves; false answers 404. */
    boolean exists(HttpServletRequest request) {
        return true;
    }

    /**
     * The endpoint's own work, on a container thread: it answers through {@code answer}, now or
     * later. {@code body} holds a POST's fields; other methods get none.
     */
    abstract void handle(HttpServletRequest request, Fields body, Answer answer);
}
