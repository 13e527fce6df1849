package io.github.longpollchat.hub.redis;

import static io.github.longpollchat.hub.redis.Nodes.await;
import static io.github.longpollchat.hub.redis.Nodes.join;
import static io.github.longpollchat.hub.redis.Nodes.pollUntil;
import static io.github.longpollchat.hub.redis.Nodes.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.hub.Event;
import io.github.longpollchat.hub.JoinResult;
import io.github.longpollchat.hub.PostedEvent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The time-driven rules (expiry, grace leaves, presence summaries, forgetting rooms) run on every
 * node with no coordinator, and still happen once each.
 */
@Timeout(60)
class CrossNodeSweepTest {
    @RegisterExtension
    static final Nodes nodes = Nodes.onSharedRedis();

    @Test
    void anIdleClientExpiresOnceThoughEveryNodeSweeps() throws Exception {
        RedisHub a = nodes.node(Option.CLIENT_TTL, 1);
        RedisHub b = nodes.node(Option.CLIENT_TTL, 1);
        join(a, "alice", "lobby");
        JoinResult bob = join(b, "bob", "lobby");

        List<PostedEvent> seen = pollUntil(b, bob.clientId(), bob.cursor(), 5000, e -> isLeaveOf(e, "alice"));

        assertTrue(seen.stream().anyMatch(e -> isLeaveOf(e, "alice")), "alice expired: " + seen);
        assertEquals(1, leavesOf("alice"), "one leave, however many nodes swept");
    }

    @Test
    void aGraceLeaveRunsOnceThoughEveryNodeSweeps() throws Exception {
        RedisHub a = nodes.node();
        RedisHub b = nodes.node();
        JoinResult alice = join(a, "alice", "lobby");
        JoinResult bob = join(b, "bob", "lobby");

        await(a.leave(alice.clientId(), 1));
        List<PostedEvent> seen = pollUntil(b, bob.clientId(), bob.cursor(), 5000, e -> isLeaveOf(e, "alice"));

        assertTrue(seen.stream().anyMatch(e -> isLeaveOf(e, "alice")), "alice left after her grace: " + seen);
        assertEquals(1, leavesOf("alice"));
    }

    @Test
    void aRequestThroughAnotherNodeCancelsAGraceLeave() throws Exception {
        RedisHub a = nodes.node();
        RedisHub b = nodes.node();
        JoinResult alice = join(a, "alice", "lobby");

        await(a.leave(alice.clientId(), 1));
        await(b.poll(alice.clientId(), alice.cursor() + 1, 0));
        Thread.sleep(1500);

        assertEquals(0, leavesOf("alice"));
        await(a.send(alice.clientId(), "still here", null));
    }

    @Test
    void aBigRoomsPresenceSummaryIsPostedOnceThoughEveryNodeSweeps() throws Exception {
        RedisHub a = nodes.node(Option.PRESENCE_LIMIT, 2);
        RedisHub b = nodes.node(Option.PRESENCE_LIMIT, 2);
        JoinResult alice = join(a, "alice", "lobby");
        join(b, "bob", "lobby");
        join(b, "carol", "lobby");

        List<PostedEvent> seen = pollUntil(a, alice.clientId(), alice.cursor(), 5000, e -> e.event().type().equals(Event.PRESENCE));

        PostedEvent summary = seen.get(seen.size() - 1);
        assertEquals(List.of("carol"), summary.event().joined());
        assertEquals(3, summary.event().count());
        Thread.sleep(500);
        assertEquals(1, nodes.log("lobby").stream().filter(json -> json.contains("\"type\":\"presence\"")).count());
    }

    @Test
    void noKeyOfAForgottenRoomOrOfItsClientsIsLeft() throws Exception {
        Object[] quick = {Option.CLIENT_TTL, 1, Option.ROOM_TTL, 1, Option.RATE_LIMIT, 5};
        RedisHub a = nodes.node(quick);
        RedisHub b = nodes.node(quick);
        JoinResult alice = join(a, "alice", "lobby");
        JoinResult bob = join(b, "bob", "lobby");
        await(a.send(alice.clientId(), "hello", "m-1"));
        await(b.send(bob.clientId(), "hi", "m-2"));
        await(b.leave(alice.clientId(), 1));
        assertTrue(!nodes.redis().cli("--scan").isEmpty(), "the chat is in Redis");

        assertTrue(within(8000, () -> nodes.redis().cli("--scan").isEmpty()), "left: " + nodes.redis().cli("--scan"));
    }

    private static boolean isLeaveOf(PostedEvent event, String name) {
        return event.event().type().equals(Event.LEAVE) && event.event().name().equals(name);
    }

    private long leavesOf(String name) {
        return nodes.log("lobby").stream().filter(json -> json.contains("\"type\":\"leave\",\"name\":\"" + name + "\"")).count();
    }
}
