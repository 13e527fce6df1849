package io.github.longpollchat.hub.redis;

import static io.github.longpollchat.hub.redis.Nodes.await;
import static io.github.longpollchat.hub.redis.Nodes.join;
import static io.github.longpollchat.hub.redis.Nodes.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.hub.JoinResult;
import io.github.longpollchat.hub.PollResult;
import io.github.longpollchat.hub.Reason;
import io.github.longpollchat.hub.Refusal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The chat's limits and keys hold for all nodes together, not per node. */
@Timeout(60)
class CrossNodeRulesTest {
    @RegisterExtension
    static final Nodes nodes = Nodes.onSharedRedis();

    @Test
    void ofFiftyJoinsWithOneNameAtOnceAcrossNodesExactlyOneSucceeds() throws Exception {
        List<RedisHub> three = List.of(nodes.node(), nodes.node(), nodes.node());
        List<CompletionStage<JoinResult>> joins = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            joins.add(three.get(i % 3).join(i % 2 == 0 ? "Dana" : "dana", "lobby", null, "127.0.0.1"));
        }
        int joined = 0;
        int taken = 0;
        for (CompletionStage<JoinResult> join : joins) {
            try {
                await(join);
                joined++;
            } catch (Refusal refusal) {
                assertEquals(Reason.NAME_TAKEN, refusal.reason());
                taken++;
            }
        }
        assertEquals(1, joined);
        assertEquals(49, taken);
    }

    @Test
    void maxClientsCountsTheClientsOfEveryNode() throws Exception {
        RedisHub a = nodes.node(Option.MAX_CLIENTS, 3);
        RedisHub b = nodes.node(Option.MAX_CLIENTS, 3);
        join(a, "alice", "lobby");
        join(b, "bob", "lobby");
        join(a, "carol", "dev");

        assertEquals(Reason.SERVER_FULL, refusal(b.join("dave", "lobby", null, "127.0.0.1")).reason());
    }

    @Test
    void maxClientsPerAddressCountsTheClientsOfEveryNode() throws Exception {
        RedisHub a = nodes.node(Option.MAX_CLIENTS_PER_ADDRESS, 2);
        RedisHub b = nodes.node(Option.MAX_CLIENTS_PER_ADDRESS, 2);
        await(a.join("alice", "lobby", null, "192.0.2.1"));
        JoinResult bob = await(b.join("bob", "dev", null, "192.0.2.1"));
        await(a.join("carol", "lobby", null, "192.0.2.2"));

        assertEquals(Reason.TOO_MANY_CLIENTS, refusal(a.join("dave", "ops", null, "192.0.2.1")).reason());
        await(b.leave(bob.clientId(), 0));
        await(a.join("dave", "ops", null, "192.0.2.1"));
    }

    @Test
    void anAddressIsKeptOnlyWhileItHasLiveClientsAndNeverInTheClear() throws Exception {
        RedisHub a = nodes.node(Option.MAX_CLIENTS_PER_ADDRESS, 2);
        RedisHub b = nodes.node(Option.MAX_CLIENTS_PER_ADDRESS, 2);
        JoinResult alice = await(a.join("alice", "lobby", null, "192.0.2.1"));
        JoinResult bob = await(b.join("bob", "lobby", null, "192.0.2.1"));
        String held = nodes.redis().cli("KEYS", "chat:a:*");
        assertEquals(1, held.lines().count(), "one address held: " + held);
        assertTrue(!nodes.redis().cli("KEYS", "*").contains("192.0.2.1"), "no key names the address");

        await(a.leave(alice.clientId(), 0));
        await(b.leave(bob.clientId(), 0));

        assertEquals("", nodes.redis().cli("KEYS", "chat:a:*"), "the address is gone with its last client");
    }

    @Test
    void withoutACapNoAddressIsKept() throws Exception {
        RedisHub a = nodes.node();
        join(a, "alice", "lobby");
        assertEquals("", nodes.redis().cli("KEYS", "chat:a:*"));
    }

    @Test
    void maxRoomsCountsTheRoomsOfEveryNode() throws Exception {
        RedisHub a = nodes.node(Option.MAX_ROOMS, 2);
        RedisHub b = nodes.node(Option.MAX_ROOMS, 2);
        join(a, "alice", "lobby");
        join(b, "bob", "dev");

        assertEquals(Reason.SERVER_FULL, refusal(a.join("carol", "ops", null, "127.0.0.1")).reason());
        join(a, "carol", "dev");
    }

    @Test
    void theRateLimitCountsSendsMadeThroughEveryNode() throws Exception {
        RedisHub a = nodes.node(Option.RATE_LIMIT, 3);
        RedisHub b = nodes.node(Option.RATE_LIMIT, 3);
        JoinResult alice = join(a, "alice", "lobby");
        await(a.send(alice.clientId(), "one", null));
        await(b.send(alice.clientId(), "two", null));
        await(a.send(alice.clientId(), "three", null));

        Refusal refused = refusal(b.send(alice.clientId(), "four", null));

        assertEquals(Reason.RATE_LIMITED, refused.reason());
        assertTrue(refused.retryAfterSeconds() >= 1 && refused.retryAfterSeconds() <= 10, "Retry-After " + refused.retryAfterSeconds());
    }

    @Test
    void aMsgIdRepeatedThroughAnotherNodeReturnsTheFirstIdAndPostsNothing() throws Exception {
        RedisHub a = nodes.node();
        RedisHub b = nodes.node();
        JoinResult alice = join(a, "alice", "lobby");
        long first = await(a.send(alice.clientId(), "hello", "m-1"));

        long again = await(b.send(alice.clientId(), "hello again", "m-1"));

        assertEquals(first, again);
        PollResult mailbox = await(b.poll(alice.clientId(), alice.cursor(), 0));
        assertEquals(List.of(alice.cursor() + 1, first), mailbox.messages().stream().map(e -> e.id()).toList(),
                "her join and one message");
    }

    @Test
    void aResumeThroughAnotherNodeAnswersTheSameClient() throws Exception {
        RedisHub a = nodes.node();
        RedisHub b = nodes.node();
        JoinResult alice = join(a, "alice", "lobby");
        await(a.poll(alice.clientId(), alice.cursor() + 1, 0));

        JoinResult resumed = await(b.join("someone else", "lobby", alice.clientId(), "127.0.0.1"));

        assertEquals(alice.clientId(), resumed.clientId());
        assertEquals("alice", resumed.name());
        assertEquals(alice.cursor() + 1, resumed.cursor(), "her last acknowledged id");
        assertEquals(List.of("alice"), resumed.members());
    }
}
