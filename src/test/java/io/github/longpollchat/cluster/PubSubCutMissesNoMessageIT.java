package io.github.longpollchat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Protocol v1.1 "Many nodes": a poll parked on any node is woken by a send on any other, even
 * when the node's pub/sub connection to Redis has just been cut ({@code CLIENT KILL TYPE pubsub},
 * what a failover or a proxy's idle timeout does). Polls park for {@value #POLL_TIMEOUT} s, so a
 * node that missed the wake-up would answer only at the timeout: each message must reach every
 * member within {@value #WAKE_SECONDS} s of being sent.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PubSubCutMissesNoMessageIT {
    private static final int POLLERS = 8;
    private static final int ROUNDS = 10;
    private static final int POLL_TIMEOUT = 30;
    private static final int WAKE_SECONDS = 5;

    @RegisterExtension
    static final ClusterRun run = ClusterRun.with(true, Map.of(Option.RATE_LIMIT, "0", Option.POLL_TIMEOUT, Integer.toString(POLL_TIMEOUT)));

    @Test
    void cuttingEveryPubSubConnectionMakesNoPollMissAMessage() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        String room = "cut";
        List<Member> pollers = Member.joinAll(run.cluster().client(), "p", POLLERS, room);
        Member sender = Member.join(run.cluster().client(), "sender", room);
        ExecutorService pool = Executors.newFixedThreadPool(POLLERS);
        Map<Integer, String> cut = new TreeMap<>();
        Map<String, Long> sentAt = new TreeMap<>();
        try {
            List<Future<?>> polling = Member.pollAll(pool, pollers, deadline, POLL_TIMEOUT);
            Thread.sleep(1000); // every poll parked
            for (int round = 0; round < ROUNDS; round++) {
                cut.put(round, run.cluster().redis().cli("CLIENT", "KILL", "TYPE", "pubsub").trim());
                // From at once to 300 ms after the cut: before, during and after the node re-subscribes.
                Thread.sleep(round * 37 % 300);
                String text = "after cut " + round;
                sentAt.put(text, System.nanoTime());
                assertTrue(sender.send(text, "c" + round, deadline) > 0, "sent: " + text);
                long by = sentAt.get(text) + TimeUnit.SECONDS.toNanos(WAKE_SECONDS);
                while (pollers.stream().anyMatch(p -> !p.texts.containsKey(text)) && System.nanoTime() - by < 0) {
                    Thread.sleep(10);
                }
            }
            pollers.forEach(Member::stop);
            assertTrue(sender.send("that is all", "end", deadline) > 0, "the last message, which ends the parked polls");
            Member.stopAll(pollers, polling, POLL_TIMEOUT);
        } finally {
            pollers.forEach(Member::stop);
            pool.shutdownNow();
        }

        String where = run.cluster() + "\npub/sub connections cut per round: " + cut + "\nrefusals: " + Member.refusals(pollers);
        System.out.println(where);
        assertEquals(Integer.toString(run.cluster().size()), cut.get(0), "one pub/sub connection per node, all cut: " + where);
        for (Member poller : pollers) {
            sentAt.forEach((text, at) -> {
                Long got = poller.texts.get(text);
                assertTrue(got != null, () -> poller + " never got '" + text + "'; " + where);
                long ms = TimeUnit.NANOSECONDS.toMillis(got - at);
                assertTrue(ms < TimeUnit.SECONDS.toMillis(WAKE_SECONDS), () -> poller + " got '" + text + "' after " + ms + " ms");
            });
            assertEquals(0, poller.repeated, () -> "repeated at " + poller);
            assertEquals(List.of(), poller.breaks(), () -> "ids not contiguous at " + poller);
        }
    }
}
