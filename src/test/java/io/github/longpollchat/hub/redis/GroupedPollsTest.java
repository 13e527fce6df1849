package io.github.longpollchat.hub.redis;

import static io.github.longpollchat.hub.redis.Nodes.await;
import static io.github.longpollchat.hub.redis.Nodes.join;
import static io.github.longpollchat.hub.redis.Nodes.refusal;
import static io.github.longpollchat.hub.redis.Nodes.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * Polls that reach a node while its poll call is out go to Redis together in the next call, and
 * each is answered as if it had gone alone. Redis is held with {@code CLIENT PAUSE}, which holds
 * the node's first poll call (a function that writes) and so makes the group certain.
 */
@Timeout(60)
class GroupedPollsTest {
    /** Fewer than a node keeps of a room's newest events, so that every answer comes from them, not from a read. */
    private static final int CLIENTS = LocalRoom.RECENT - 2;
    private static final String PAUSE_MILLIS = "500";

    @RegisterExtension
    static final Nodes nodes = Nodes.onFreshRedis();

    @Test
    void pollsThatComeWhileACallIsOutGoInOneCall() throws Exception {
        RedisHub a = nodes.node();
        List<JoinResult> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(join(a, "user" + i, "lobby"));
        }
        long callsBefore = functionCalls();

        nodes.redis().cli("CLIENT", "PAUSE", PAUSE_MILLIS, "WRITE");
        List<CompletionStage<PollResult>> polls = new ArrayList<>();
        for (JoinResult client : clients) {
            polls.add(a.poll(client.clientId(), -1, 0));
        }

        for (int i = 0; i < CLIENTS; i++) {
            // Each mailbox holds its own join and the later ones: each answer is its own poll's.
            List<Long> ids = await(polls.get(i)).messages().stream().map(event -> event.id()).toList();
            assertEquals(CLIENTS - i, ids.size(), "user" + i + "'s mailbox");
            assertEquals(clients.get(i).cursor() + 1, ids.get(0), "user" + i + "'s mailbox starts at its join");
        }
        // The first poll alone, the rest in one call; the sweeper may call a few times meanwhile.
        long calls = functionCalls() - callsBefore;
        assertTrue(calls <= 5, CLIENTS + " polls took " + calls + " calls");
    }

    @Test
    void aClientsLaterPollInTheSameGroupSupersedesItsEarlierOne() throws Exception {
        RedisHub a = nodes.node();
        JoinResult alice = join(a, "alice", "lobby");
        JoinResult bob = join(a, "bob", "lobby");
        long cursor = bob.cursor() + 1;

        nodes.redis().cli("CLIENT", "PAUSE", PAUSE_MILLIS, "WRITE");
        CompletionStage<PollResult> holding = a.poll(alice.clientId(), -1, 0);
        CompletionStage<PollResult> earlier = a.poll(bob.clientId(), cursor, 30);
        CompletionStage<PollResult> later = a.poll(bob.clientId(), cursor, 30);

        await(holding);
        PollResult superseded = await(earlier);
        assertTrue(superseded.superseded(), "the earlier poll is answered as superseded");
        assertEquals(cursor, superseded.cursor(), "with the last acknowledged id");
        assertTrue(within(Nodes.WAIT_MILLIS, () -> a.stats().parkedPolls() == 1), "the later poll parks");
        long id = await(a.send(alice.clientId(), "hello", null));
        assertEquals(id, await(later).cursor(), "the later poll gets the next send");
    }

    @Test
    void aGroupWhoseCallFailsRefusesEachOfItsPollsWithStoreUnavailable() throws Exception {
        RedisHub a = nodes.node();
        List<JoinResult> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clients.add(join(a, "user" + i, "lobby"));
        }

        nodes.redis().cli("CLIENT", "PAUSE", PAUSE_MILLIS, "WRITE");
        List<CompletionStage<PollResult>> polls = new ArrayList<>();
        for (JoinResult client : clients) {
            polls.add(a.poll(client.clientId(), -1, 0));
        }
        nodes.redis().kill();

        for (CompletionStage<PollResult> poll : polls) {
            Refusal refused = refusal(poll);
            assertEquals(Reason.STORE_UNAVAILABLE, refused.reason());
        }
    }

    @Test
    void afterAFailedGroupPollsGoToRedisAgainWhenItIsBack() throws Exception {
        RedisHub a = nodes.node();
        JoinResult alice = join(a, "alice", "lobby");
        nodes.redis().cli("CLIENT", "PAUSE", PAUSE_MILLIS, "WRITE");
        List<CompletionStage<PollResult>> polls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            polls.add(a.poll(alice.clientId(), -1, 0));
        }
        nodes.redis().kill();
        for (CompletionStage<PollResult> poll : polls) {
            refusal(poll);
        }

        nodes.redis().restart();

        assertTrue(within(10_000, () -> answers(a, alice)), "a's polls are answered again with no restart");
    }

    /** Whether a plain poll, which changes nothing, is answered. */
    private static boolean answers(RedisHub node, JoinResult client) {
        try {
            return !await(node.poll(client.clientId(), -1, 0)).gone();
        } catch (Refusal refusal) {
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The FCALLs Redis has run so far: every node's calls, its sweeps too. */
    private static long functionCalls() {
        for (String line : nodes.redis().cli("INFO", "commandstats").split("\n")) {
            if (line.startsWith("cmdstat_fcall:")) {
                String calls = line.substring(line.indexOf("calls=") + 6);
                return Long.parseLong(calls.substring(0, calls.indexOf(',')));
            }
        }
        return 0;
    }
}
