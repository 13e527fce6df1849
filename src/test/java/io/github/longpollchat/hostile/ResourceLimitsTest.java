package io.github.longpollchat.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.launcher.ChatServer;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.HubWatch;
import io.github.longpollchat.testing.RawHttp;
import io.github.longpollchat.testing.Reply;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The server's limits hold against hostile use: huge headers, bodies that never finish (silent, or
 * trickled a byte at a time), piles of polls for one client, joins past the client and room
 * limits, and ten thousand clients that vanish at once, whose memory must come back.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResourceLimitsTest {
    private static final int SLOW_BODY_LIMIT_MILLIS = 13_000;

    private static ChatServer start(Function<Settings, Settings> settings) throws Exception {
        return ChatServer.newServer(settings.apply(Settings.defaults()
                .with(Option.PORT, 0).with(Option.HOST, "127.0.0.1"))).start();
    }

    private static ChatClient clientOf(ChatServer server) {
        return new ChatClient(URI.create("http://127.0.0.1:" + server.port() + "/"));
    }

    @Test
    void aRequestHeaderOf64KiBIsRefusedWithAJsonErrorNotA500() throws Exception {
        ChatServer server = start(s -> s);
        try {
            String pad = "h".repeat(64 * 1024);
            // Through HttpClient…
            HttpResponse<byte[]> viaClient = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/join"))
                    .header("X-Pad", pad).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("name=big")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertTrue(viaClient.statusCode() == 431 || viaClient.statusCode() == 400, "status " + viaClient.statusCode());
            assertNull(ProtocolErrors.problem(viaClient.statusCode(), viaClient.headers().firstValue("Content-Type").orElse(null),
                    viaClient.body(), false, Set.of("malformed_body")), new String(viaClient.body(), StandardCharsets.UTF_8));
            assertEquals("nosniff", viaClient.headers().firstValue("X-Content-Type-Options").orElse(null));
            // …and over a bare socket, in a header block of many lines.
            StringBuilder request = new StringBuilder("GET /get_msg?clientId=abc HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (int i = 0; request.length() < 64 * 1024; i++) {
                request.append("X-Line-").append(i).append(": ").append("v".repeat(100)).append("\r\n");
            }
            request.append("Connection: close\r\n\r\n");
            RawHttp.Response raw = RawHttp.tryExchange(server.port(), RawHttp.bytes(request.toString()), false, false, 10_000);
            assertTrue(raw.status() == 431 || raw.status() == 400, raw.toString());
            assertNull(ProtocolErrors.problem(raw.status(), raw.header("Content-Type"), raw.body(), false,
                    Set.of("malformed_body")), raw.toString());
            assertEquals(0, server.hub().stats().clients(), "the join behind the huge header did not happen");
        } finally {
            server.stop();
        }
    }

    /** Sends the head of a POST with a Content-Length of 100, then lets {@code body} write (some of) it. */
    private static RawHttp.Response slowBody(ChatServer server, BodyWriter body, long[] elapsedMillis) throws Exception {
        try (Socket socket = RawHttp.open(server.port(), 30_000)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /send_msg HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 100\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            Thread writer = new Thread(() -> {
                try {
                    body.write(out);
                } catch (IOException | InterruptedException closed) {
                    // the server answered and closed: the point of the test
                }
            }, "slow-body");
            writer.setDaemon(true);
            writer.start();
            InputStream in = socket.getInputStream();
            RawHttp.Response response;
            try {
                response = readOne(in);
            } finally {
                elapsedMillis[0] = (System.nanoTime() - start) / 1_000_000;
                writer.interrupt();
            }
            return response;
        }
    }

    private interface BodyWriter {
        void write(OutputStream out) throws IOException, InterruptedException;
    }

    /** Reads one response, or nothing when the server cuts the connection without one. */
    private static RawHttp.Response readOne(InputStream in) {
        byte[] all;
        try {
            all = in.readAllBytes();
        } catch (IOException reset) {
            return null;
        }
        return all.length == 0 ? null : RawHttp.parse(all);
    }

    private static void assertAnsweredOrCutInTime(RawHttp.Response response, long elapsedMillis) {
        assertTrue(elapsedMillis < SLOW_BODY_LIMIT_MILLIS, "the connection was held for " + elapsedMillis + " ms");
        if (response != null) {
            assertNull(ProtocolErrors.problem(response.status(), response.header("Content-Type"), response.body(), false,
                    Set.of("malformed_body")), "answered " + response);
        }
        System.out.printf("slow body: %s after %d ms%n", response == null ? "cut" : "answered " + response.status(), elapsedMillis);
    }

    /** The two slow bodies take 10 s or more each: they start before the other tests and run beside them. */
    private static ChatServer slowServer;
    private static ExecutorService slowBodies;
    private static Future<Object[]> stoppedBody;
    private static Future<Object[]> trickledBody;

    @BeforeAll
    static void startSlowBodies() throws Exception {
        slowServer = start(s -> s);
        slowBodies = Executors.newFixedThreadPool(2);
        stoppedBody = slowBodies.submit(() -> {
            long[] elapsed = new long[1];
            RawHttp.Response response = slowBody(slowServer, out -> {
                out.write("clientId=a".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }, elapsed);
            return new Object[] {response, elapsed[0]};
        });
        trickledBody = slowBodies.submit(() -> {
            long[] elapsed = new long[1];
            RawHttp.Response response = slowBody(slowServer, out -> {
                for (int i = 0; i < 100; i++) {
                    out.write('a');
                    out.flush();
                    Thread.sleep(1000); // each byte well within the idle timeout
                }
            }, elapsed);
            return new Object[] {response, elapsed[0]};
        });
    }

    @AfterAll
    static void stopSlowBodies() throws Exception {
        if (slowBodies != null) {
            slowBodies.shutdownNow();
        }
        if (slowServer != null) {
            slowServer.stop();
        }
    }

    @Test
    void aBodyThatArrivesInTimeLeavesNoDeadlineBehind() throws Exception {
        ChatServer server = start(s -> s);
        try {
            ChatClient chat = clientOf(server);
            String id = chat.join("prompt", "deadlines").get("clientId").asText();
            for (int i = 0; i < 5; i++) {
                assertEquals(200, chat.send(id, "on time " + i).status());
            }
            // Only the sweep waits on the timer: each body's 10 s deadline went as its body arrived.
            // (Read across the sweep's runs: while it runs, it is not on the queue.)
            assertEquals(1, HubWatch.timerTasks(server.hub()));
        } finally {
            server.stop();
        }
    }

    @Test
    @Order(Integer.MAX_VALUE) // last, so that the other tests run while the slow bodies take their time
    void aBodyThatStopsAfterTenOfItsHundredBytesIsAnsweredOrCutWithin13Seconds() throws Exception {
        Object[] outcome = stoppedBody.get(30, TimeUnit.SECONDS);
        assertAnsweredOrCutInTime((RawHttp.Response) outcome[0], (Long) outcome[1]);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void aBodyTrickledOneByteASecondIsAnsweredOrCutWithin13Seconds() throws Exception {
        Object[] outcome = trickledBody.get(30, TimeUnit.SECONDS);
        assertAnsweredOrCutInTime((RawHttp.Response) outcome[0], (Long) outcome[1]);
    }

    @Test
    void manyPollsForOneClientLeaveExactlyOneParkedAndSupersedeTheRest() throws Exception {
        ChatServer server = start(s -> s.with(Option.POLL_TIMEOUT, 30));
        try {
            ChatClient chat = clientOf(server);
            JsonNode joined = chat.join("piler", "pile");
            String id = joined.get("clientId").asText();
            long cursor = joined.get("cursor").asLong() + 1;
            chat.poll(id, cursor, 0); // its own join, acknowledged
            int n = 12;
            List<CompletableFuture<Reply>> polls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                polls.add(chat.pollAsync(id, cursor, 30));
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (polls.stream().filter(CompletableFuture::isDone).count() < n - 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            int superseded = 0;
            CompletableFuture<Reply> parked = null;
            for (CompletableFuture<Reply> poll : polls) {
                if (poll.isDone()) {
                    Reply reply = poll.get();
                    assertEquals(200, reply.status(), reply.toString());
                    assertTrue(reply.json().path("superseded").asBoolean(), reply.toString());
                    superseded++;
                } else {
                    parked = poll;
                }
            }
            assertEquals(n - 1, superseded, "all but one superseded");
            assertNotNull(parked);
            assertEquals(1, server.hub().stats().parkedPolls(), "one poll parked");
            assertEquals(200, chat.send(id, "wake up").status());
            Reply woken = parked.get(5, TimeUnit.SECONDS);
            assertEquals("wake up", woken.json().get("messages").get(0).get("text").asText(), woken.toString());
            assertEquals(0, server.hub().stats().parkedPolls());
        } finally {
            server.stop();
        }
    }

    @Test
    void aJoinPastMaxClientsGets503ServerFullUntilAPlaceIsFree() throws Exception {
        ChatServer server = start(s -> s.with(Option.MAX_CLIENTS, 5));
        try {
            ChatClient chat = clientOf(server);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(chat.join("m" + i, "full").get("clientId").asText());
            }
            Reply refused = chat.postForm("join", "name", "m5", "room", "full");
            assertEquals(503, refused.status(), refused.toString());
            assertEquals("server_full", refused.error());
            assertNull(ProtocolErrors.problem(refused.status(), refused.header("Content-Type"),
                    refused.body().getBytes(StandardCharsets.UTF_8), false, Set.of("server_full")));
            Reply elsewhere = chat.postForm("join", "name", "m5", "room", "another");
            assertEquals(503, elsewhere.status(), "another room is no way round it: " + elsewhere);
            assertEquals(5, server.hub().stats().clients());
            assertEquals(1, server.hub().stats().rooms(), "the refused join made no room");
            assertEquals(204, chat.leave(ids.get(0)).status());
            assertEquals(200, chat.postForm("join", "name", "m5", "room", "full").status(), "a freed place can be taken");
        } finally {
            server.stop();
        }
    }

    @Test
    void aJoinThatWouldOpenARoomPastMaxRoomsGets503ServerFull() throws Exception {
        ChatServer server = start(s -> s.with(Option.MAX_ROOMS, 2));
        try {
            ChatClient chat = clientOf(server);
            chat.join("a", "r1");
            chat.join("b", "r2");
            Reply refused = chat.postForm("join", "name", "c", "room", "r3");
            assertEquals(503, refused.status(), refused.toString());
            assertEquals("server_full", refused.error());
            assertEquals(200, chat.postForm("join", "name", "c", "room", "r1").status(), "existing rooms still take joins");
            assertEquals(3, server.hub().stats().clients());
        } finally {
            server.stop();
        }
    }

    /** Heap in use after a full collection, as settled as a test can make it. */
    private static long usedHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /**
     * Sends requests pipelined over a few keep-alive connections (HTTP/1.1 lets a client write the
     * next request before the last answer came): far faster than one request at a time, so that
     * ten thousand joins, and polls that keep ten thousand clients alive, fit into a client TTL of
     * a couple of seconds. Returns each answer as "status body".
     */
    private static String[] pipelined(int port, List<String> requests, int connections) throws Exception {
        String[] answers = new String[requests.size()];
        ExecutorService io = Executors.newFixedThreadPool(connections * 2);
        List<Socket> sockets = new ArrayList<>();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int first = c;
                Socket socket = RawHttp.open(port, 30_000);
                sockets.add(socket);
                done.add(io.submit(() -> {
                    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 65_536);
                    for (int i = first; i < requests.size(); i += connections) {
                        out.write(requests.get(i).getBytes(StandardCharsets.UTF_8));
                    }
                    out.flush();
                    return null;
                }));
                done.add(io.submit(() -> {
                    InputStream in = new BufferedInputStream(socket.getInputStream(), 65_536);
                    for (int i = first; i < requests.size(); i += connections) {
                        answers[i] = readPipelinedAnswer(in);
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
            io.shutdownNow();
        }
        return answers;
    }

    private static String readPipelinedAnswer(InputStream in) throws IOException {
        RawHttp.Response answer = RawHttp.read(in, false);
        if (!answer.answered()) {
            throw new IOException("no answer: " + answer.failure());
        }
        return answer.status() + " " + answer.bodyText();
    }

    private static String joinRequest(int i, int perRoom) {
        String body = "name=c" + i + "&room=r" + (i / perRoom);
        return "POST /join HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String pollRequest(String id, Long cursor, int timeout) {
        return "GET /" + ChatClient.pollPath(id, cursor, timeout) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    /** Open file descriptors of this JVM (client and server sockets alike), where Linux tells; else -1. */
    private static long openFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** Polls these clients once each (timeout 0), pipelined, which keeps each alive for another client TTL. */
    private static void refresh(int port, String[] ids, List<Integer> which, long[] touched) throws Exception {
        List<String> polls = new ArrayList<>();
        for (int i : which) {
            polls.add(pollRequest(ids[i], null, 0));
        }
        String[] answers = pipelined(port, polls, 8);
        long now = System.nanoTime();
        for (int k = 0; k < answers.length; k++) {
            if (!answers[k].startsWith("200")) {
                throw new AssertionError("client " + which.get(k) + " was expired before everyone joined (a machine this slow"
                        + " needs a longer client TTL here): " + answers[k]);
            }
            touched[which.get(k)] = now;
        }
    }

    @Test
    void tenThousandClientsThatVanishAtOnceAreExpiredAndTheirMemoryFreed() throws Exception {
        final int clients = 10_000;
        final int parkedOnSockets = 500; // polls parked on real connections, which are then reset
        final int perRoom = 20;
        final int batch = 1000;
        // Short, yet long enough to have all 10,000 live at once on a busy 2-core machine: there a
        // loopback connection costs 2-10 ms and 10,000 pipelined joins take seconds, so with a TTL
        // of 1-2 s the first clients would expire before the last had joined.
        final int ttl = 10;
        final int pollTimeout = 3;
        ChatServer server = start(s -> s.with(Option.CLIENT_TTL, ttl).with(Option.POLL_TIMEOUT, pollTimeout)
                .with(Option.ROOM_TTL, 1));
        List<Socket> sockets = new ArrayList<>();
        try {
            Hub hub = server.hub();
            int port = server.port();
            ChatClient chat = clientOf(server);
            chat.leave(chat.join("warm-up", "warm").get("clientId").asText()); // classes loaded before the baseline
            pipelined(port, List.of(pollRequest("nobody", null, 0)), 1);
            waitUntil(() -> hub.stats().rooms() == 0, 10_000);
            long baseline = usedHeap();
            long filesBefore = openFiles();

            // Join in batches, pipelined over a few connections; between batches, poll (timeout 0) the
            // clients that have been silent for half a TTL, so that nobody expires before the measurement.
            long start = System.nanoTime();
            String[] ids = new String[clients];
            long[] touched = new long[clients];
            int refreshed = 0;
            for (int from = 0; from <= clients; from += batch) {
                long now = System.nanoTime();
                if (from < clients) {
                    List<String> joins = new ArrayList<>();
                    for (int i = from; i < from + batch; i++) {
                        joins.add(joinRequest(i, perRoom));
                    }
                    String[] answers = pipelined(port, joins, 8);
                    now = System.nanoTime();
                    for (int i = 0; i < batch; i++) {
                        assertTrue(answers[i].startsWith("200"), "join " + (from + i) + ": " + answers[i]);
                        int at = answers[i].indexOf("\"clientId\":\"") + 12;
                        ids[from + i] = answers[i].substring(at, answers[i].indexOf('"', at));
                        touched[from + i] = now;
                    }
                }
                List<Integer> stale = new ArrayList<>();
                for (int i = 0; i < Math.min(from, clients); i++) {
                    if (now - touched[i] > TimeUnit.SECONDS.toNanos(ttl) / 2) {
                        stale.add(i);
                    }
                }
                refresh(port, ids, stale, touched);
                refreshed += stale.size();
            }
            long joinMillis = (System.nanoTime() - start) / 1_000_000;
            long live = usedHeap();
            Hub.Stats atPeak = hub.stats();
            assertEquals(clients, atPeak.clients(), "all " + clients + " were live while the heap was measured");

            // Some park a poll on a connection of their own (a cursor beyond every id acknowledges the
            // queued join events, so that the poll parks); then everyone vanishes: those connections
            // are reset, and nobody sends anything more.
            // Refreshed just before, so that none of them expires (TTL) while the others connect.
            List<Integer> toPark = new ArrayList<>();
            for (int i = 0; i < parkedOnSockets; i++) {
                toPark.add(i);
            }
            refresh(port, ids, toPark, touched);
            for (int i = 0; i < parkedOnSockets; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                socket.getOutputStream().write(pollRequest(ids[i], (long) Integer.MAX_VALUE, 60).getBytes(StandardCharsets.US_ASCII));
                sockets.add(socket);
            }
            waitUntil(() -> hub.stats().parkedPolls() == parkedOnSockets, 30_000);
            long filesAtPeak = openFiles();
            long dropped = System.nanoTime();
            for (Socket socket : sockets) {
                socket.setSoLinger(true, 0);
                socket.close();
            }
            sockets.clear();
            Arrays.fill(ids, null);
            waitUntil(() -> hub.stats().clients() == 0, 60_000);
            long expiredMillis = (System.nanoTime() - dropped) / 1_000_000;
            waitUntil(() -> hub.stats().rooms() == 0, 10_000);
            long after = usedHeap();

            System.out.printf("%,d vanishing clients in %d rooms (client TTL %d s, poll timeout %d s): joined in %d ms"
                            + " (and %,d keep-alive polls); at the peak %s; %d polls parked on sockets, open files %d"
                            + " (before %d, after %d); all expired %d ms after the drop%n"
                            + "  heap used after GC: baseline %.1f MB, with %,d live %.1f MB (%,d bytes per live client),"
                            + " after expiry %.1f MB (%+.1f MB against the baseline)%n",
                    clients, clients / perRoom, ttl, pollTimeout, joinMillis, refreshed, atPeak, parkedOnSockets,
                    filesAtPeak, filesBefore, openFiles(), expiredMillis, baseline / 1e6, clients, live / 1e6,
                    (live - baseline) / clients, after / 1e6, (after - baseline) / 1e6);
            assertEquals(0, hub.stats().parkedPolls());
            assertEquals(0, hub.stats().queuedEvents());
            assertTrue(after - baseline < 20_000_000, "the heap came back to within 20 MB of the baseline: baseline "
                    + baseline + ", after " + after);
            assertTrue(live - baseline > 2 * Math.max(0, after - baseline), "the live clients took memory that expiry gave back");
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
            server.stop();
        }
    }

    private interface Condition {
        boolean holds();
    }

    private static void waitUntil(Condition condition, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + millis + " ms");
            }
            Thread.sleep(25);
        }
    }
}
