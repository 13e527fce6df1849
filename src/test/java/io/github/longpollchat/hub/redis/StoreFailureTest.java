package io.github.longpollchat.hub.redis;

import static io.github.longpollchat.hub.redis.Nodes.await;
import static io.github.longpollchat.hub.redis.Nodes.join;
import static io.github.longpollchat.hub.redis.Nodes.refusal;
import static io.github.longpollchat.hub.redis.Nodes.within;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.SettingsException;
import io.github.longpollchat.hub.JoinResult;
import io.github.longpollchat.hub.PollResult;
import io.github.longpollchat.hub.Reason;
import io.github.longpollchat.hub.Refusal;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis going away, or the pub/sub connection cut, costs requests a 503 at most: no node crashes, no message is missed. */
@Timeout(90)
class StoreFailureTest {
    @RegisterExtension
    static final Nodes nodes = Nodes.onFreshRedis();

    @Test
    void cuttingThePubSubConnectionsLosesNoWakeUp() throws Exception {
        RedisHub a = nodes.node();
        RedisHub b = nodes.node();
        JoinResult alice = join(a, "alice", "lobby");
        JoinResult bob = join(b, "bob", "lobby");
        long cursor = bob.cursor() + 1;
        for (int round = 0; round < 5; round++) {
            CompletionStage<PollResult> parked = b.poll(bob.clientId(), cursor, 30);
            assertTrue(within(Nodes.WAIT_MILLIS, () -> b.stats().parkedPolls() == 1), "bob's poll parked on b");

            nodes.redis().cli("CLIENT", "KILL", "TYPE", "pubsub");
            long id = await(a.send(alice.clientId(), "after cut " + round, null));

            // Without the check after re-subscribing, the wake-up sent meanwhile is lost and the poll waits 30 s.
            PollResult answer = await(parked);
            assertEquals(id, answer.cursor(), "round " + round);
            cursor = id;
        }
    }

    @Test
    void whileRedisIsDownRequestsGetStoreUnavailable() throws Exception {
        RedisHub a = nodes.node();
        JoinResult alice = join(a, "alice", "lobby");

        nodes.redis().stop();

        assertEquals(Reason.STORE_UNAVAILABLE, refusal(a.join("bob", "lobby", null, "127.0.0.1")).reason());
        assertEquals(Reason.STORE_UNAVAILABLE, refusal(a.send(alice.clientId(), "hello", null)).reason());
        assertEquals(Reason.STORE_UNAVAILABLE, refusal(a.poll(alice.clientId(), -1, 1)).reason());
        assertEquals(Reason.STORE_UNAVAILABLE, refusal(a.leave(alice.clientId(), 0)).reason());
    }

    @Test
    void aPollParkedWhenRedisGoesAwayWaitsOutItsTimeout() throws Exception {
        RedisHub a = nodes.node();
        JoinResult alice = join(a, "alice", "lobby");
        CompletionStage<PollResult> parked = a.poll(alice.clientId(), alice.cursor() + 1, 2);
        assertTrue(within(Nodes.WAIT_MILLIS, () -> a.stats().parkedPolls() == 1), "alice's poll parked");

        nodes.redis().stop();
        PollResult answer = await(parked);

        assertFalse(answer.status());
        assertEquals(alice.cursor() + 1, answer.cursor());
    }

    @Test
    void whenRedisIsBackTheNodesServeAgainWithNothingAcknowledgedLost() throws Exception {
        RedisHub a = nodes.node();
        RedisHub b = nodes.node();
        JoinResult alice = join(a, "alice", "lobby");
        long hello = await(a.send(alice.clientId(), "hello", null));

        nodes.redis().stop();
        assertEquals(Reason.STORE_UNAVAILABLE, refusal(a.send(alice.clientId(), "lost", null)).reason());
        nodes.redis().restart();

        assertTrue(within(10_000, () -> serves(a, alice) && serves(b, alice)), "both nodes serve again with no restart");
        // Refusals carry no stack trace: each step names itself should it fail.
        PollResult mailbox = assertDoesNotThrow(() -> await(b.poll(alice.clientId(), alice.cursor(), 0)), "alice polls through b");
        assertEquals(List.of(alice.cursor() + 1, hello), mailbox.messages().stream().map(e -> e.id()).toList(),
                "her join, then hello");
        JoinResult bob = assertDoesNotThrow(() -> join(a, "bob", "lobby"), "bob joins through a");
        assertEquals(hello, bob.cursor(), "ids go on where they were");
    }

    @Test
    void aRedisThatDoesNotAnswerStopsStartUpNamingRedis() {
        nodes.redis().stop();

        long started = System.nanoTime();
        SettingsException refused = assertThrows(SettingsException.class, () -> RedisHub.connect(Nodes.settings(nodes.redis())));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

        assertTrue(refused.getMessage().startsWith("--redis: "), refused.getMessage());
        assertTrue(seconds >= RedisHub.START_SECONDS - 1 && seconds < RedisHub.START_SECONDS + 5, "gave up after " + seconds + " s");
    }

    @Test
    void aNodeStartedWhileRedisIsSlowToComeUpWaitsForIt() throws Exception {
        nodes.redis().stop();
        Thread restarter = new Thread(() -> {
            try {
                Thread.sleep(2000);
                nodes.redis().restart();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        restarter.start();

        RedisHub a = nodes.node(Option.HISTORY, 10);
        restarter.join(TimeUnit.SECONDS.toMillis(15));

        assertEquals("alice", join(a, "alice", "lobby").name());
    }

    /** Whether the node reaches Redis again: a plain poll, which changes nothing. */
    private static boolean serves(RedisHub node, JoinResult client) {
        try {
            await(node.poll(client.clientId(), -1, 0));
            return true;
        } catch (Refusal refusal) {
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
