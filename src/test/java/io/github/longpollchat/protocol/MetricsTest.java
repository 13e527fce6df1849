package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static io.github.longpollchat.protocol.Checks.assertOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.MetricsText;
import io.github.longpollchat.testing.Reply;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /metrics}, {@code /healthz} and {@code /readyz}, read from this machine: on the jar's admin
 * port, under the WAR's base. The metrics move as the chat is used. Counters are compared before and
 * after, as the tests of the class share one server. Not on a cluster: its balancer forwards every
 * call, and forwarded calls are not local.
 */
@Timeout(60)
@DisabledIfSystemProperty(named = "chat.target", matches = "cluster", disabledReason = "a balancer forwards every call")
class MetricsTest {
    private static final int MAILBOX = 3;
    private static final int CLIENT_TTL = 2;
    private static final Duration EXPIRY_WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.ADMIN_PORT, 0).and(Option.MAILBOX, MAILBOX).and(Option.CLIENT_TTL, CLIENT_TTL);

    private final Api api = new Api(chat);
    private ChatClient admin;

    @BeforeEach
    void reachTheAdminEndpoints() {
        admin = new ChatClient(chat.adminBase().orElseThrow());
    }

    private MetricsText scrape() {
        Reply reply = admin.get("metrics");
        assertEquals(200, reply.status(), reply::toString);
        // Tomcat writes the parameters without spaces, Jetty with: both are the same media type.
        assertTrue(reply.header("Content-Type").replace(" ", "").startsWith("text/plain;version=0.0.4"), reply.header("Content-Type"));
        return MetricsText.parse(reply.body());
    }

    @Test
    void healthzSaysTheServerIsAlive() {
        Reply reply = admin.get("healthz");
        assertOk(reply);
        assertTrue(reply.json().get("status").booleanValue(), reply::toString);
    }

    @Test
    void readyzSaysTheServerTakesRequests() {
        Reply reply = admin.get("readyz");
        assertOk(reply);
        assertTrue(reply.json().get("status").booleanValue(), reply::toString);
    }

    @Test
    void postingAndPollingMoveTheCountersAndTheHistograms() {
        MetricsText before = scrape();
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        api.send(alice.clientId(), "hello");
        int delivered = api.inbox(bob).drain().size();

        MetricsText after = scrape();
        assertEquals(3, after.value("chat_events_posted_total") - before.value("chat_events_posted_total"), "two joins and a message");
        assertTrue(after.value("chat_deliveries_total") - before.value("chat_deliveries_total") >= delivered, after.text());
        assertTrue(after.value("chat_clients") >= 2, after.text());
        assertTrue(after.value("chat_rooms") >= 1, after.text());
        String answered = "chat_poll_wait_seconds_count";
        assertTrue(after.value(answered) - before.value(answered) >= 2, "bob's polls: " + after.text());
        assertTrue(after.has("chat_poll_wait_seconds_bucket{le=\"+Inf\"}"), after.text());
        assertTrue(after.value("chat_answer_bytes_sum{endpoint=\"get\"}") > before.value("chat_answer_bytes_sum{endpoint=\"get\"}"),
                after.text());
    }

    @Test
    void aParkedPollIsCountedWhileItWaits() throws Exception {
        Joined carol = api.join("carol", Unique.room());
        api.inbox(carol).drain();
        var parked = api.parkedPoll(carol.clientId(), carol.joinId(), 30);

        assertTrue(scrape().value("chat_parked_polls") >= 1, "carol's poll is parked");
        api.send(carol.clientId(), "wake up");
        assertOk(parked.get());
    }

    @Test
    void errorsAreCountedByTheirCode() {
        String unknown = "chat_errors_total{code=\"unknown_client\"}";
        String invalidCursor = "chat_errors_total{code=\"invalid_cursor\"}";
        MetricsText before = scrape();

        assertError(api.pollReply("x".repeat(22), null, 0), 410, "unknown_client");
        Joined dave = api.join("dave", Unique.room());
        assertError(api.get("get_msg?clientId=" + dave.clientId() + "&cursor=-1"), 400, "invalid_cursor");

        MetricsText after = scrape();
        assertEquals(1, after.value(unknown) - before.value(unknown), after.text());
        assertEquals(1, after.value(invalidCursor) - before.value(invalidCursor), after.text());
    }

    @Test
    void anEvictionIsCounted() {
        MetricsText before = scrape();
        String room = Unique.room();
        api.join("slow", room);
        Joined erin = api.join("erin", room);
        Api.Inbox inbox = api.inbox(erin);
        for (int i = 0; i < MAILBOX; i++) {
            api.send(erin.clientId(), "message " + i);
            inbox.drain();
        }

        MetricsText after = scrape();
        assertEquals(1, after.value("chat_evictions_total") - before.value("chat_evictions_total"), after.text());
    }

    @Test
    void anExpiryIsCounted() throws Exception {
        double before = scrape().value("chat_expiries_total");
        api.join("silent", Unique.room());

        assertTrue(waitFor(metrics -> metrics.value("chat_expiries_total") > before), "silent expired within " + EXPIRY_WAIT);
    }

    @Test
    void aForwardedCallIsNotLocalAndFindsNothing() {
        for (String path : new String[] {"metrics", "healthz", "readyz"}) {
            Reply reply = admin.send(HttpRequest.newBuilder(admin.uri(path)).header("X-Forwarded-For", "203.0.113.7").build());
            assertError(reply, 404, "not_found");
        }
    }

    @Test
    void theAdminEndpointsTakeOnlyGet() {
        Reply reply = admin.method("POST", "metrics");
        assertError(reply, 405, "method_not_allowed");
        assertEquals("GET", reply.header("Allow"));
    }

    @Test
    void theChatPortOfTheJarServesNoAdminEndpoint() {
        Assumptions.assumeTrue(ChatTarget.isJar(), "the WAR serves them on its own base");
        for (String path : new String[] {"metrics", "healthz", "readyz"}) {
            assertError(api.get(path), 404, "not_found");
        }
    }

    @Test
    void theAdminPortOfTheJarServesNoChat() {
        Assumptions.assumeTrue(ChatTarget.isJar(), "the WAR has no admin port");
        assertError(admin.get(""), 404, "not_found");
        assertError(admin.postForm("join", "name", "mallory"), 404, "not_found");
    }

    private boolean waitFor(Predicate<MetricsText> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + EXPIRY_WAIT.toNanos();
        for (int i = 0; i < 1000 && System.nanoTime() < deadline; i++) {
            if (wanted.test(scrape())) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
