package io.github.longpollchat.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.hostile.HostileGenerator.Attack;
import io.github.longpollchat.hostile.ProtocolOracle.Verdict;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.HubWatch;
import io.github.longpollchat.testing.RawHttp;
import io.github.longpollchat.testing.Reply;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A few thousand malformed requests, from a fixed seed, at every endpoint of the running server,
 * over real HTTP, many of them carrying the ids of clients that joined before the storm: each must
 * be answered with one of the protocol's errors (or, if it happens to be valid, as valid), and
 * afterwards no room, member, mailbox or history may have changed, and chat must still work.
 *
 * <p>{@code -Dhostile.seed=N} replays another storm, {@code -Dhostile.count=N} sizes it. Every
 * failure names the seed and the index of the request, which {@link HostileGenerator#attack}
 * makes again on its own.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputTest {
    static final long SEED = Long.getLong("hostile.seed", 20261125L);
    static final int COUNT = Integer.getInteger("hostile.count", 3000);
    private static final int THREADS = 8;
    private static final int SHOWN = Integer.getInteger("hostile.shown", 15);

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.POLL_TIMEOUT, 1);

    private record Member(String id, String name, String room) {
    }

    /** What a request got: status -1 when it got no answer at all. */
    private record Answer(int status, String contentType, byte[] body, String failure) {
    }

    private enum Bucket { REFUSED, HTTP_LEVEL, VALID, LEAK }

    /** What the hub holds, which no refused request may change: its counts but the timer's, which the sweep changes as it runs. */
    private record Held(int clients, int rooms, int parkedPolls, int queuedEvents) {
        static Held of(Hub.Stats stats) {
            return new Held(stats.clients(), stats.rooms(), stats.parkedPolls(), stats.queuedEvents());
        }
    }

    private static Hub hub;
    private static ChatClient client;
    private static Member alice;
    private static Member bob;
    private static Member zoe;
    private static Member carol;
    private static List<Member> members;
    private static Held heldBefore;
    private static int leavesBefore;
    private static Map<String, JsonNode> viewsBefore;
    private static final Map<Bucket, List<String>> problems = new LinkedHashMap<>();
    private static final Map<String, Integer> tally = new TreeMap<>();
    private static int sent;
    private static int skipped;
    private static int staleRetries;
    private static HttpClient http;
    private static ExecutorService pool;

    @BeforeAll
    static void storm() throws Exception {
        assumeTrue(chat.hub().isPresent(), "needs the server in this JVM");
        hub = chat.hub().orElseThrow();
        client = chat.client();
        alice = join("alice", HostileGenerator.ROOM);
        bob = join("bob", HostileGenerator.ROOM);
        zoe = join("Zoë", HostileGenerator.ROOM);
        carol = join("carol", HostileGenerator.OTHER_ROOM);
        members = List.of(alice, bob, zoe, carol);
        // Everyone acknowledges everything: empty mailboxes, so that a valid poll changes nothing.
        for (Member member : members) {
            long newest = member.room.equals(HostileGenerator.ROOM) ? 3 : 1;
            Reply reply = client.poll(member.id, newest, 0);
            assertEquals(200, reply.status(), reply.toString());
        }
        assertEquals(0, hub.stats().queuedEvents());
        heldBefore = Held.of(hub.stats());
        leavesBefore = hub.stats().pendingLeaves();
        viewsBefore = views();

        for (Bucket bucket : Bucket.values()) {
            problems.put(bucket, new ArrayList<>());
        }
        ProtocolOracle oracle = new ProtocolOracle(new ProtocolOracle.World(
                Map.of(alice.id, alice.room, bob.id, bob.room, zoe.id, zoe.room, carol.id, carol.room),
                Map.of(HostileGenerator.ROOM, Set.of("alice", "bob", ProtocolOracle.nameKey("Zoë")),
                        HostileGenerator.OTHER_ROOM, Set.of("carol"))));
        HostileGenerator generator = new HostileGenerator(SEED, alice.id, bob.id, zoe.id, carol.id);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        pool = Executors.newFixedThreadPool(THREADS);
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            Attack attack = generator.attack(i);
            done.add(pool.submit(() -> {
                run(attack, oracle);
                return null;
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("hostile storm: seed %d, %d requests generated, %d sent, %d valid ones that would change "
                + "state left out, %d ms, %d resent after a stale pooled connection%n  answers: %s%n", SEED, COUNT, sent, skipped,
                millis, staleRetries, tally);
    }

    @AfterAll
    static void stopPool() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private static Member join(String name, String room) {
        JsonNode joined = client.join(name, room);
        return new Member(joined.get("clientId").asText(), name, room);
    }

    // --- the storm ---

    private static void run(Attack attack, ProtocolOracle oracle) {
        Verdict verdict = attack.preset();
        if (verdict == null) {
            verdict = oracle.classify(attack.method(), attack.target(), attack.contentType(), attack.body());
            int headerBytes = attack.target().length();
            for (Map.Entry<String, String> header : attack.headers()) {
                headerBytes += header.getKey().length() + header.getValue().length() + 4;
            }
            if (headerBytes > 4000) {
                // Over a few KiB of request line and headers, the HTTP layer may refuse it (414, 431).
                verdict = verdict.orError("malformed_body");
            }
            if (attack.contentType() != null && attack.contentType().isBlank()) {
                // An empty Content-Type may reach the servlet as none at all.
                verdict = verdict.or(oracle.classify(attack.method(), attack.target(), null, attack.body()));
            }
        }
        if (verdict.stateful()) {
            synchronized (problems) {
                skipped++;
            }
            return;
        }
        Answer answer = send(attack);
        String problem = judge(attack, verdict, answer);
        String leak = leak(attack, answer);
        synchronized (problems) {
            sent++;
            tally.merge(answer.status < 0 ? "none (" + attack.kind() + ")" : Integer.toString(answer.status), 1, Integer::sum);
            if (problem != null) {
                Bucket bucket = attack.httpLevel() ? Bucket.HTTP_LEVEL
                        : verdict.errors().isEmpty() ? Bucket.VALID : Bucket.REFUSED;
                problems.get(bucket).add(report(attack, verdict, answer, problem));
            }
            if (leak != null) {
                problems.get(Bucket.LEAK).add(report(attack, verdict, answer, leak));
            }
        }
    }

    private static String judge(Attack attack, Verdict verdict, Answer answer) {
        boolean head = "HEAD".equals(attack.method());
        if (answer.status < 0) {
            return attack.mayGoUnanswered() ? null : "no answer: " + answer.failure;
        }
        if (answer.status >= 200 && answer.status < 300) {
            if (!verdict.ok().contains(answer.status)) {
                return "success " + answer.status + ", expected " + verdict.why();
            }
            if (answer.status == 200 && !attack.target().startsWith("/get_msg") && !attack.target().startsWith("/join")) {
                return answer.contentType != null && answer.contentType.startsWith("text/") ? null
                        : "the page as " + answer.contentType;
            }
            if (answer.status == 200 && !ProtocolErrors.isJsonUtf8(answer.contentType)) {
                return "JSON as " + answer.contentType;
            }
            return null;
        }
        if (verdict.errors().isEmpty()) {
            String shape = ProtocolErrors.problem(answer.status, answer.contentType, answer.body, head, null);
            return "refused, expected " + verdict.why() + (shape == null ? "" : "; and " + shape);
        }
        return ProtocolErrors.problem(answer.status, answer.contentType, answer.body, head, verdict.errors());
    }

    /** An answer that shows a client id which the request did not carry. */
    private static String leak(Attack attack, Answer answer) {
        if (answer.body.length == 0) {
            return null;
        }
        String said = new String(answer.body, StandardCharsets.ISO_8859_1);
        byte[] request = attack.httpLevel() ? attack.raw()
                : (attack.target() + new String(attack.body(), StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
        String asked = new String(request, StandardCharsets.ISO_8859_1);
        asked = asked + " " + percentDecoded(asked); // an id may be sent percent-encoded, byte by byte
        for (Member member : members) {
            if (said.contains(member.id) && !asked.contains(member.id.substring(4))) {
                return "the answer holds " + member.name + "'s client id";
            }
        }
        return null;
    }

    /** %XX sequences decoded, anything else kept as it is. */
    private static String percentDecoded(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && Character.digit(text.charAt(i + 1), 16) >= 0
                    && Character.digit(text.charAt(i + 2), 16) >= 0) {
                out.append((char) Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String report(Attack attack, Verdict verdict, Answer answer, String problem) {
        String body = new String(answer.body, StandardCharsets.UTF_8);
        return problem + "\n      request " + attack.describe() + "\n      verdict " + verdict.why()
                + "\n      answer " + (answer.status < 0 ? "none (" + answer.failure + ")"
                : answer.status + " [" + answer.contentType + "] " + (body.length() > 200 ? body.substring(0, 200) + "…" : body));
    }

    private static Answer send(Attack attack) {
        int port = chat.base().getPort();
        boolean head = "HEAD".equals(attack.method());
        if (!attack.httpLevel() && !attack.socket()) {
            HttpRequest request = httpClientRequest(attack, port);
            if (request != null) {
                for (int attempt = 1; ; attempt++) {
                    try {
                        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                                response.body(), null);
                    } catch (IOException e) {
                        // A pooled keep-alive connection that the server closed for idleness just as it was
                        // reused: the request never reached the server, so it is sent once more.
                        if (attempt == 1 && String.valueOf(e.getMessage()).contains("received no bytes")) {
                            synchronized (problems) {
                                staleRetries++;
                            }
                            continue;
                        }
                        return new Answer(-1, null, new byte[0], "HttpClient: " + e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return new Answer(-1, null, new byte[0], "interrupted");
                    }
                }
            }
        }
        byte[] raw = attack.httpLevel() ? attack.raw() : rawRequest(attack, port);
        try {
            RawHttp.Response response = RawHttp.tryExchange(port, raw, attack.halfClose(), head, 20_000);
            return new Answer(response.status(), response.header("Content-Type"), response.body(), response.failure());
        } catch (IOException e) {
            return new Answer(-1, null, new byte[0], "socket: " + e);
        }
    }

    /** The request for HttpClient, or null when HttpClient cannot send it as it is (then a socket does). */
    private static HttpRequest httpClientRequest(Attack attack, int port) {
        try {
            URI uri = URI.create("http://127.0.0.1:" + port + attack.target());
            String sentTarget = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            if (!sentTarget.equals(attack.target()) || !ProtocolOracle.isCleanTarget(attack.target())) {
                return null;
            }
            HttpRequest.BodyPublisher body = attack.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : attack.chunked() ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(attack.body()))
                    : HttpRequest.BodyPublishers.ofByteArray(attack.body());
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                    .method(attack.method(), body);
            if (attack.contentType() != null) {
                builder.header("Content-Type", attack.contentType());
            }
            for (Map.Entry<String, String> header : attack.headers()) {
                builder.header(header.getKey(), header.getValue());
            }
            return builder.build();
        } catch (IllegalArgumentException cannot) {
            return null;
        }
    }

    private static byte[] rawRequest(Attack attack, int port) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder();
        head.append(attack.method()).append(' ').append(attack.target()).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
        if (attack.contentType() != null) {
            head.append("Content-Type: ").append(attack.contentType()).append("\r\n");
        }
        for (Map.Entry<String, String> header : attack.headers()) {
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        boolean bodiless = attack.body().length == 0 && (attack.method().equals("GET") || attack.method().equals("HEAD"));
        if (attack.chunked()) {
            head.append("Transfer-Encoding: chunked\r\n");
        } else if (!bodiless) {
            head.append("Content-Length: ").append(attack.body().length).append("\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(attack.chunked() ? RawHttp.chunked(attack.body()) : attack.body());
        return out.toByteArray();
    }

    // --- the state ---

    /** Each member's own view, by resuming it (which changes nothing) and by a plain poll of its mailbox. */
    private static Map<String, JsonNode> views() {
        Map<String, JsonNode> views = new LinkedHashMap<>();
        for (Member member : members) {
            Reply resumed = client.postForm("join", "name", member.name, "room", member.room, "clientId", member.id);
            assertEquals(200, resumed.status(), member.name + " resumes: " + resumed);
            assertEquals(member.id, resumed.json().get("clientId").asText(), member.name + " was resumed, not joined anew");
            views.put(member.name + " /join", resumed.json());
            Reply polled = client.poll(member.id, null, 0);
            assertEquals(200, polled.status(), member.name + " polls: " + polled);
            views.put(member.name + " /get_msg", polled.json());
        }
        return views;
    }

    private static void assertNoProblems(Bucket bucket, String what) {
        List<String> found = problems.get(bucket);
        if (!found.isEmpty()) {
            StringBuilder message = new StringBuilder(found.size() + " " + what + " (seed " + SEED
                    + "; rerun with -Dhostile.seed=" + SEED + "):");
            found.stream().limit(SHOWN).forEach(p -> message.append("\n  - ").append(p));
            if (found.size() > SHOWN) {
                message.append("\n  … and ").append(found.size() - SHOWN).append(" more");
            }
            throw new AssertionError(message.toString());
        }
    }

    @Test
    @Order(1)
    void everyMalformedRequestIsAnsweredWithOneOfTheProtocolsErrors() {
        assertTrue(sent > COUNT / 2, "most requests were sent: " + sent + " of " + COUNT);
        assertNoProblems(Bucket.REFUSED, "malformed requests not answered with the protocol's error");
    }

    @Test
    @Order(2)
    void requestsMalformedAtTheHttpLevelAreAnsweredWithJsonErrorsToo() {
        assertNoProblems(Bucket.HTTP_LEVEL, "requests malformed at the HTTP level not answered with a JSON error");
    }

    @Test
    @Order(3)
    void validRequestsAmongTheNoiseAreAnsweredAsValid() {
        assertNoProblems(Bucket.VALID, "valid requests not answered as valid");
    }

    @Test
    @Order(4)
    void noAnswerRevealsAClientIdTheRequestDidNotCarry() {
        assertNoProblems(Bucket.LEAK, "answers revealing another client's id");
    }

    @Test
    @Order(5)
    void noRefusedRequestChangesAnyRoomMemberMailboxOrHistory() throws InterruptedException {
        // Valid polls of the storm may still be parked (for at most the 1 s poll timeout).
        HubWatch.await("the storm's parked polls to time out (seed " + SEED + ")", () -> hub.stats().parkedPolls() == 0);
        // A refused request must set no grace leave either, which would end a member up to 10 s later
        // (one that has already fired shows as a member missing below).
        assertEquals(leavesBefore, hub.stats().pendingLeaves(), "grace leaves pending (seed " + SEED + ")");
        assertEquals(heldBefore, Held.of(hub.stats()), "clients, rooms, parked polls and queued events (seed " + SEED + ")");
        Map<String, JsonNode> viewsAfter = views();
        for (String view : viewsBefore.keySet()) {
            assertEquals(viewsBefore.get(view), viewsAfter.get(view), view + " (seed " + SEED + ")");
        }
    }

    @Test
    @Order(6)
    void chatStillWorksAfterTheStorm() {
        JsonNode history = viewsBefore.get("Zoë /join").get("history");
        long newest = history.get(history.size() - 1).get("id").asLong();
        // k1 and k2 were used by refused sends of the storm: none of them may have been remembered.
        Reply first = client.postForm("send_msg", "clientId", alice.id, "text", "still here", "msgId", "k1");
        assertEquals(200, first.status(), first.toString());
        assertEquals(newest + 1, first.json().get("id").asLong(), "the next id follows the last one before the storm");
        Reply again = client.postForm("send_msg", "clientId", alice.id, "text", "still here", "msgId", "k1");
        assertEquals(newest + 1, again.json().get("id").asLong(), "a repeated msgId gives the first send's id");
        Reply second = client.postForm("send_msg", "clientId", alice.id, "text", "and again", "msgId", "k2");
        assertEquals(newest + 2, second.json().get("id").asLong());
        for (Member member : List.of(alice, bob, zoe)) {
            Reply polled = client.poll(member.id, newest, 0);
            JsonNode messages = polled.json().get("messages");
            assertEquals(2, messages.size(), member.name + " gets both messages: " + polled);
            assertEquals(newest + 1, messages.get(0).get("id").asLong());
            assertEquals("still here", messages.get(0).get("text").asText());
            assertEquals("alice", messages.get(0).get("name").asText());
            assertEquals(newest + 2, messages.get(1).get("id").asLong());
        }
        Reply other = client.poll(carol.id, null, 0);
        assertEquals(0, other.json().get("messages").size(), "nothing crosses into the other room: " + other);
    }
}
