package io.github.longpollchat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Protocol v1.1 "Many nodes" and issue 13's bounded memory: after a room's TTL, no key of the room
 * or of its clients (mailboxes, names, {@code msgId} keys, rate windows, liveness) is left in Redis.
 * A first room, used and forgotten, leaves Redis with whatever global keys the engine keeps;
 * that set of keys (from {@code SCAN}) is the baseline. A second room is used the same way on
 * every node (messages with {@code msgId}s, one member leaving, the others going quiet until they
 * expire), and once it is forgotten the keys must be the baseline again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForgottenRoomLeavesNoKeyIT {
    private static final int CLIENT_TTL = 2;
    private static final int ROOM_TTL = 1;
    /** Client TTL, room TTL, sweeps and a margin on a loaded machine. */
    private static final long FORGET_NANOS = TimeUnit.SECONDS.toNanos(40);

    @RegisterExtension
    static final ClusterRun run = ClusterRun.with(false, Map.of(Option.CLIENT_TTL, Integer.toString(CLIENT_TTL), Option.ROOM_TTL, Integer.toString(ROOM_TTL)));

    @Test
    void afterTheRoomTtlNoKeyOfTheRoomOrItsClientsIsLeftInRedis() throws Exception {
        List<String> firstIds = use("forgotten1");
        Set<String> baseline = awaitSteadyKeys();
        assertEquals(Set.of(), masked(mentioning(baseline, "forgotten1", firstIds), firstIds), "the first room is gone");

        List<String> ids = use("forgotten2");
        Set<String> during = keys();
        assertTrue(!during.equals(baseline), "the second room has keys while it lives: " + during);

        long deadline = System.nanoTime() + FORGET_NANOS;
        Set<String> now = keys();
        while (!now.equals(baseline) && System.nanoTime() - deadline < 0) {
            Thread.sleep(250);
            now = keys();
        }
        Set<String> left = new TreeSet<>(now);
        left.removeAll(baseline);
        assertEquals(Set.of(), masked(left, ids), "keys left after the room's TTL; baseline " + baseline);
        assertEquals(Set.of(), masked(mentioning(now, "forgotten2", ids), ids), "keys naming the room or a client");
    }

    /**
     * Three members on three nodes (through the balancer), messages with msgIds from each, one
     * leaves, the others go quiet; returns their clientIds.
     */
    private static List<String> use(String room) throws InterruptedException {
        List<Member> members = Member.joinAll(run.cluster().client(), "m", 3, room);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Member member : members) {
            for (int k = 0; k < 3; k++) {
                assertTrue(member.send(member.name + " says " + k, "k" + k, deadline) > 0);
            }
        }
        assertEquals(204, run.cluster().client().leave(members.get(0).clientId).status());
        return members.stream().map(m -> m.clientId).toList();
    }

    /** The keys once the first room had time to go and they stay the same for 2 s. */
    private static Set<String> awaitSteadyKeys() throws Exception {
        Thread.sleep(TimeUnit.SECONDS.toMillis(CLIENT_TTL + ROOM_TTL));
        long deadline = System.nanoTime() + FORGET_NANOS;
        Set<String> last = keys();
        long steadySince = System.nanoTime();
        while (System.nanoTime() - steadySince < TimeUnit.SECONDS.toNanos(2)) {
            assertTrue(System.nanoTime() - deadline < 0, "Redis's keys never settled: " + last);
            Thread.sleep(250);
            Set<String> now = keys();
            if (!now.equals(last)) {
                last = now;
                steadySince = System.nanoTime();
            }
        }
        return last;
    }

    /** Every key, by SCAN. */
    private static Set<String> keys() throws Exception {
        Set<String> keys = new TreeSet<>();
        for (String line : run.cluster().redis().cli("--scan").split("\n")) {
            if (!line.isBlank()) {
                keys.add(line.trim());
            }
        }
        return keys;
    }

    /** The keys with every clientId in them cut to its first four characters: a test never logs one whole. */
    private static Set<String> masked(Set<String> keys, List<String> clientIds) {
        Set<String> masked = new TreeSet<>();
        for (String key : keys) {
            for (String id : clientIds) {
                key = key.replace(id, id.substring(0, 4) + "…");
            }
            masked.add(key);
        }
        return masked;
    }

    /** Keys that carry the room's name or a clientId (or its first half, for keys that cut it). */
    private static Set<String> mentioning(Set<String> keys, String room, List<String> clientIds) {
        Set<String> found = new TreeSet<>();
        for (String key : keys) {
            boolean client = clientIds.stream().anyMatch(id -> key.contains(id.substring(0, id.length() / 2)));
            if (key.contains(room) || client) {
                found.add(key);
            }
        }
        return found;
    }
}
