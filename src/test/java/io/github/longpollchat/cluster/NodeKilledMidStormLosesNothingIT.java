package io.github.longpollchat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Protocol v1.1 "Many nodes": a node that is killed loses nothing. A fan-out storm through the
 * balancer (members spread over every node, the WAR in Tomcat among them when it runs), and a
 * third of the way through the sends one jar node gets SIGKILL. Every member must receive every
 * accepted message exactly once, with contiguous ids, and carry on through the other nodes.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NodeKilledMidStormLosesNothingIT {
    private static final int POLLERS = 24;
    private static final int SENDERS = 3;
    private static final int MESSAGES_EACH = 40;
    private static final int POLL_TIMEOUT = 10;
    /** A jar: the balancer's second node. */
    private static final int KILLED = 1;
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(150);

    @RegisterExtension
    static final ClusterRun run = ClusterRun.with(true, Map.of(Option.RATE_LIMIT, "0", Option.POLL_TIMEOUT, Integer.toString(POLL_TIMEOUT)));

    @Test
    void aNodeKilledMidStormLosesNoMessageAndEveryClientCarriesOnThroughTheOthers() throws Exception {
        long deadline = System.nanoTime() + RUN_NANOS;
        String room = "storm";
        List<Member> pollers = Member.joinAll(run.cluster().client(), "p", POLLERS, room);
        List<Member> senders = Member.joinAll(run.cluster().client(), "s", SENDERS, room);
        ExecutorService pool = Executors.newFixedThreadPool(POLLERS + SENDERS);
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Set<Long> acceptedIds = ConcurrentHashMap.newKeySet();
        CountDownLatch aThird = new CountDownLatch(SENDERS * MESSAGES_EACH / 3);
        long[] killedAt = {0};
        try {
            List<Future<?>> polling = Member.pollAll(pool, pollers, deadline, POLL_TIMEOUT);
            List<Future<?>> sending = new ArrayList<>();
            for (Member sender : senders) {
                sending.add(pool.submit(() -> {
                    for (int k = 0; k < MESSAGES_EACH; k++) {
                        String text = sender.name + "-" + k;
                        long id = sender.send(text, "m" + k, deadline);
                        assertTrue(id > 0, () -> "never accepted: " + text + "; " + sender);
                        accepted.add(text);
                        acceptedIds.add(id);
                        aThird.countDown();
                        Thread.sleep(20);
                    }
                    return null;
                }));
            }
            assertTrue(aThird.await(60, TimeUnit.SECONDS), "a third of the sends within 60 s");
            run.cluster().kill(KILLED);
            killedAt[0] = System.nanoTime();
            for (Future<?> send : sending) {
                send.get(90, TimeUnit.SECONDS);
            }
            long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pollers.stream().anyMatch(p -> !p.missing(accepted).isEmpty()) && System.nanoTime() - drained < 0) {
                Thread.sleep(50);
            }
            Member.stopAll(pollers, polling, POLL_TIMEOUT);
        } finally {
            pollers.forEach(Member::stop);
            pool.shutdownNow();
        }

        String where = run.cluster() + "\nrefusals: " + Member.refusals(pollers) + " / senders " + Member.refusals(senders);
        System.out.println(where);
        assertFalse(run.cluster().isAlive(KILLED), "the node was killed");
        assertEquals(SENDERS * MESSAGES_EACH, accepted.size(), where);
        assertEquals(SENDERS * MESSAGES_EACH, acceptedIds.size(), "one id per message, retries included: " + where);
        long afterKill = pollers.get(0).texts.values().stream().filter(at -> at - killedAt[0] > 0).count();
        assertTrue(afterKill >= SENDERS * MESSAGES_EACH / 2, "most messages came after the kill: " + afterKill);
        for (Member poller : pollers) {
            assertEquals(List.of(), poller.missing(accepted), () -> "missing at " + poller + "; " + where);
            assertEquals(0, poller.repeated, () -> "repeated at " + poller);
            assertEquals(List.of(), poller.breaks(), () -> "ids not contiguous at " + poller);
        }
        for (int i = 0; i < run.cluster().size(); i++) {
            if (i != KILLED) {
                assertTrue(run.cluster().isAlive(i), "node " + i + " still runs: " + where);
            }
        }
    }
}
