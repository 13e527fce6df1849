package io.github.longpollchat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.metrics.ChatMetrics;
import io.github.longpollchat.testing.RawHttp;
import io.github.longpollchat.testing.StderrCapture;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An answer written by a thread the container does not own, at the very moment the container's
 * async timeout ends the exchange, on a connection that the client reuses at once: the real
 * Jetty, {@link Answer} as every endpoint uses it, and answers timed to land around the timeout,
 * so that thousands of writes race the container's ending. Every client must read, on each of its
 * connections, the answer to its own request or the empty answer of a timed-out exchange, never
 * another request's, and nothing may be logged as a warning or an error.
 */
@Timeout(120)
class AnswerRaceTest {
    private static final int TIMEOUT_MILLIS = 20;
    private static final int CONNECTIONS = 16;
    private static final int REQUESTS_PER_CONNECTION = 150;

    private Server server;
    private URI base;
    private ScheduledExecutorService answerers;
    private StderrCapture log;

    /** Answers each request with its own id, from another thread, a little before or after the timeout. */
    private final class RacingServlet extends HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) {
            AsyncContext async = request.startAsync();
            Answer answer = new Answer(async, new ChatMetrics(), "race");
            async.setTimeout(TIMEOUT_MILLIS);
            byte[] body = ("{\"id\":\"" + request.getParameter("id") + "\"}").getBytes(StandardCharsets.UTF_8);
            long delayMicros = ThreadLocalRandom.current().nextLong((TIMEOUT_MILLIS - 5) * 1000L, (TIMEOUT_MILLIS + 5) * 1000L);
            answerers.schedule(() -> answer.json(200, body), delayMicros, TimeUnit.MICROSECONDS);
        }
    }

    @BeforeEach
    void start() throws Exception {
        log = new StderrCapture();
        answerers = Executors.newScheduledThreadPool(2);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new RacingServlet()), "/*");
        server.setHandler(context);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        answerers.shutdownNow();
        log.close();
    }

    @Test
    void anAnswerRacingTheContainersTimeoutNeverReachesAnotherRequest() throws Exception {
        AtomicInteger ownAnswers = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            int connection = c;
            done.add(clients.submit(() -> {
                try (Socket socket = RawHttp.open(base)) {
                    OutputStream out = socket.getOutputStream();
                    InputStream in = socket.getInputStream();
                    for (int r = 0; r < REQUESTS_PER_CONNECTION; r++) {
                        String id = connection + "-" + r;
                        out.write(RawHttp.request(base, "GET", "?id=" + id, List.of(), null, false));
                        out.flush();
                        RawHttp.Response response = RawHttp.read(in, false);
                        String text = response.bodyText();
                        if (response.status() == 200 && text.equals("{\"id\":\"" + id + "\"}")) {
                            ownAnswers.incrementAndGet();
                        } else if (response.status() == 200 && text.isEmpty()) {
                            timedOut.incrementAndGet();
                        } else {
                            wrong.add(id + " got " + response);
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> each : done) {
            each.get(100, TimeUnit.SECONDS);
        }
        clients.shutdown();
        assertEquals(List.of(), wrong, "answers that were not the request's own");
        assertEquals(CONNECTIONS * REQUESTS_PER_CONNECTION, ownAnswers.get() + timedOut.get());
        // Both sides of the race happened: otherwise the test proved nothing about it.
        assertTrue(ownAnswers.get() > 0 && timedOut.get() > 0,
                "own answers " + ownAnswers.get() + ", timed out " + timedOut.get());
        String logged = log.text();
        assertTrue(!logged.contains("WARN") && !logged.contains("ERROR"), "logged: " + logged);
    }
}
