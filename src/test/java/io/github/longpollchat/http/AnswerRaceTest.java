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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
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
 * Jetty, {@link Answer} as every endpoint uses it (and {@link BodyReader} as every POST does), and
 * answers timed to land around the timeout, so that thousands of writes race the container's
 * ending. Every client must read, on each of its connections, the answer to its own request, the
 * empty answer of a timed-out exchange, or the start of its own answer cut where the timeout
 * stopped it, never another request's, and nothing may be logged as a warning or an error.
 */
@Timeout(120)
class AnswerRaceTest {
    private static final int TIMEOUT_MILLIS = 20;
    private static final int CONNECTIONS = 16;
    private static final int REQUESTS_PER_CONNECTION = 150;
    /** Far more than the server's send buffer and the client's receive buffer hold: its writing takes many turns. */
    private static final int BIG_ANSWER_BYTES = 96 * 1024;
    private static final int SOCKET_BUFFER_BYTES = 8 * 1024;

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

    /**
     * Reads each POST's body as the endpoints do, trickled in by its client; then answers with the
     * body's id, a small answer or a big one that a slow reader takes in many turns, from another
     * thread, a little before or after the timeout counted from the request's start.
     */
    private final class SlowPostServlet extends HttpServlet {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) {
            long start = System.nanoTime();
            AsyncContext async = request.startAsync();
            Answer answer = new Answer(async, new ChatMetrics(), "race");
            BodyReader.start(request, async, answer, deadlines, body -> {
                String id = new String(body, StandardCharsets.UTF_8);
                long due = start + TimeUnit.MICROSECONDS.toNanos(
                        ThreadLocalRandom.current().nextLong((TIMEOUT_MILLIS - 5) * 1000L, (TIMEOUT_MILLIS + 5) * 1000L));
                answerers.schedule(() -> answer.json(200, answerFor(id)), due - System.nanoTime(), TimeUnit.NANOSECONDS);
            });
            async.setTimeout(TIMEOUT_MILLIS);
        }
    }

    /** One in four answers is big; which ones is fixed by the id, so the client knows what to expect. */
    private static byte[] answerFor(String id) {
        String padding = id.hashCode() % 4 == 0 ? "x".repeat(BIG_ANSWER_BYTES) : "";
        return ("{\"id\":\"" + id + "\",\"padding\":\"" + padding + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private BodyDeadlines deadlines;

    @BeforeEach
    void start() throws Exception {
        log = new StderrCapture();
        answerers = Executors.newScheduledThreadPool(2);
        deadlines = new BodyDeadlines();
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptedSendBufferSize(SOCKET_BUFFER_BYTES);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new RacingServlet()), "/*");
        context.addServlet(new ServletHolder(new SlowPostServlet()), "/post");
        server.setHandler(context);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        answerers.shutdownNow();
        deadlines.close();
        log.close();
    }

    @Test
    void anAnswerRacingTheContainersTimeoutNeverReachesAnotherRequest() throws Exception {
        AtomicInteger ownAnswers = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        onEveryConnection(connection -> {
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
        });
        assertEquals(List.of(), wrong, "answers that were not the request's own");
        assertEquals(CONNECTIONS * REQUESTS_PER_CONNECTION, ownAnswers.get() + timedOut.get());
        // Both sides of the race happened: otherwise the test proved nothing about it.
        assertTrue(ownAnswers.get() > 0 && timedOut.get() > 0,
                "own answers " + ownAnswers.get() + ", timed out " + timedOut.get());
        String logged = log.text();
        assertTrue(!logged.contains("WARN") && !logged.contains("ERROR"), "logged: " + logged);
    }

    @Test
    void aTimeoutFiringAsASlowPostsAnswerIsWrittenCutsOnlyThatAnswer() throws Exception {
        AtomicInteger ownAnswers = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        AtomicInteger cutMidAnswer = new AtomicInteger();
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        onEveryConnection(connection -> {
            Socket socket = slowReader();
            try {
                for (int r = 0; r < REQUESTS_PER_CONNECTION; r++) {
                    String id = connection + "-" + r;
                    byte[] body = id.getBytes(StandardCharsets.UTF_8);
                    byte[] head = RawHttp.request(base, "POST", "post", List.of("Content-Type: text/plain"), null, false);
                    byte[] request = RawHttp.request(base, "POST", "post", List.of("Content-Type: text/plain"), body, false);
                    OutputStream out = socket.getOutputStream();
                    // The head and the first byte of the body, then the rest a moment later.
                    out.write(request, 0, head.length + 1);
                    out.flush();
                    TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(8000));
                    out.write(request, head.length + 1, request.length - head.length - 1);
                    out.flush();
                    byte[] expected = answerFor(id);
                    if (expected.length > BIG_ANSWER_BYTES) {
                        // A slow reader: the answer is still being written when the timeout comes.
                        TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(15_000));
                    }
                    RawHttp.Response response = RawHttp.read(socket.getInputStream(), false);
                    byte[] got = response.body() == null ? new byte[0] : response.body();
                    boolean ended = !response.answered() || "close".equalsIgnoreCase(response.header("Connection"));
                    if (response.status() == 200 && Arrays.equals(got, expected)) {
                        ownAnswers.incrementAndGet();
                    } else if ((response.status() == 200 && got.length == 0) || !response.answered()) {
                        timedOut.incrementAndGet();
                    } else if (response.status() == 200 && got.length < expected.length
                            && Arrays.equals(got, Arrays.copyOf(expected, got.length))) {
                        cutMidAnswer.incrementAndGet();
                        ended = true;
                    } else {
                        wrong.add(id + " got " + response);
                    }
                    if (ended) {
                        socket.close();
                        socket = slowReader();
                    }
                }
            } finally {
                socket.close();
            }
        });
        assertEquals(List.of(), wrong, "answers that were not the request's own");
        assertEquals(CONNECTIONS * REQUESTS_PER_CONNECTION, ownAnswers.get() + timedOut.get() + cutMidAnswer.get());
        // Every side of the race happened: otherwise the test proved nothing about it.
        assertTrue(ownAnswers.get() > 0 && timedOut.get() > 0 && cutMidAnswer.get() > 0,
                "own answers " + ownAnswers.get() + ", timed out " + timedOut.get() + ", cut mid-answer " + cutMidAnswer.get());
        String logged = JETTYS_CANCELLED_WRITE_RACE.matcher(log.text()).replaceAll("");
        assertTrue(!logged.contains("WARN") && !logged.contains("ERROR"), "logged: " + logged);
    }

    /**
     * The one warning this test lets pass, and only in this exact shape: Jetty's own, not this
     * code's. Completing an exchange whose answer is still waiting on the client (the cut above)
     * makes Jetty cancel the pending write, and its selector may then ask the released write's
     * callback how to run it (jetty/jetty.project#13450, open for 12.1): a {@code NullPointerException}
     * inside Jetty, logged and survived, with the connection closed as it should be. The answers
     * above show that the response was not touched after it ended.
     */
    private static final Pattern JETTYS_CANCELLED_WRITE_RACE = Pattern.compile(
            "(?m)^.*WARN org\\.eclipse\\.jetty\\.util\\.thread\\.strategy\\.AdaptiveExecutionStrategy - Unable to produce\\R"
            + "java\\.lang\\.NullPointerException: Cannot invoke \"org\\.eclipse\\.jetty\\.util\\.Callback\\.getInvocationType\\(\\)\" "
            + "because \"this\\._callback\" is null\\R"
            + "\\s+at org\\.eclipse\\.jetty\\.server\\.internal\\.HttpConnection\\$SendCallback\\.getInvocationType.*\\R"
            + "(?:\\s+at .*\\R?)*");

    /** What one client does on its connections. */
    private interface Connection {
        void run(int connection) throws Exception;
    }

    /** Runs {@value #CONNECTIONS} clients at once, each on its own connection, and waits for them all. */
    private static void onEveryConnection(Connection client) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                int connection = c;
                done.add(clients.submit(() -> {
                    client.run(connection);
                    return null;
                }));
            }
            for (Future<?> each : done) {
                each.get(100, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    /** A connection whose small receive buffer makes a big answer wait on the client. */
    private Socket slowReader() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(SOCKET_BUFFER_BYTES);
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
        return socket;
    }
}
