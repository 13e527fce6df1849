package io.github.longpollchat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.Reply;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Protocol v1.1 "Many nodes": while Redis cannot be reached, requests that need it get
 * {@code 503 store_unavailable}, no node crashes, and once it is back the same nodes serve again;
 * a send answered 200 is never lost. Redis is stopped cleanly (SIGTERM: it writes its AOF) under
 * a steady load of sends and polls through the balancer, kept down a few seconds, and started
 * again on the same port with the same data.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RedisRestartUnderLoadLosesNothingIT {
    private static final int POLLERS = 6;
    private static final int SENDERS = 2;
    private static final int POLL_TIMEOUT = 5;
    private static final long DOWN_MILLIS = 3000;
    private static final long LOAD_MILLIS = 1500;
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(120);

    @RegisterExtension
    static final ClusterRun run = ClusterRun.with(true, Map.of(Option.RATE_LIMIT, "0", Option.POLL_TIMEOUT, Integer.toString(POLL_TIMEOUT),
                        Option.HISTORY, "10000", Option.CLIENT_TTL, "120"));

    @Test
    void redisStoppedUnderLoadIs503ThenResumesWithoutRestartingANodeAndLosesNothingAcknowledged() throws Exception {
        long deadline = System.nanoTime() + RUN_NANOS;
        String room = "restart";
        List<Member> pollers = Member.joinAll(run.cluster().client(), "p", POLLERS, room);
        List<Member> senders = Member.joinAll(run.cluster().client(), "s", SENDERS, room);
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(POLLERS + SENDERS);
        Map<Integer, String> whileDown = new TreeMap<>();
        Map<Integer, String> afterRestart = new TreeMap<>();
        try {
            List<Future<?>> polling = Member.pollAll(pool, pollers, deadline, POLL_TIMEOUT);
            List<Future<?>> sends = new ArrayList<>();
            for (Member sender : senders) {
                sends.add(pool.submit(() -> {
                    for (int k = 0; sending.get(); k++) {
                        String text = sender.name + "-" + k;
                        long id = sender.send(text, "m" + k, deadline);
                        assertTrue(id > 0, () -> "never accepted: " + text + "; " + sender);
                        acknowledged.put(text, id);
                        Thread.sleep(25);
                    }
                    return null;
                }));
            }
            Thread.sleep(LOAD_MILLIS);
            run.cluster().redis().stop();
            long stoppedAt = System.nanoTime();
            // Every node, asked directly, answers 503 store_unavailable while Redis is gone.
            Member probe = senders.get(0);
            for (int i = 0; i < run.cluster().size(); i++) {
                whileDown.put(i, ask(i, "clientId", probe.clientId, "text", "down?"));
            }
            long left = TimeUnit.MILLISECONDS.toNanos(DOWN_MILLIS) - (System.nanoTime() - stoppedAt);
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(left)));
            run.cluster().redis().restart();
            // The same processes serve again: every node accepts a send, asked directly, within 30 s.
            long resumeBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; i < run.cluster().size(); i++) {
                String answer = ask(i, "clientId", probe.clientId, "text", "node " + i + " is back", "msgId", "back" + i);
                while (!answer.startsWith("200") && System.nanoTime() - resumeBy < 0) {
                    Thread.sleep(200);
                    answer = ask(i, "clientId", probe.clientId, "text", "node " + i + " is back", "msgId", "back" + i);
                }
                afterRestart.put(i, answer);
            }
            Thread.sleep(LOAD_MILLIS);
            sending.set(false);
            for (Future<?> send : sends) {
                send.get(60, TimeUnit.SECONDS);
            }
            long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pollers.stream().anyMatch(p -> !p.missing(acknowledged.keySet()).isEmpty())
                    && System.nanoTime() - drained < 0) {
                Thread.sleep(50);
            }
            Member.stopAll(pollers, polling, POLL_TIMEOUT);
        } finally {
            pollers.forEach(Member::stop);
            sending.set(false);
            pool.shutdownNow();
        }

        String where = run.cluster() + "\nwhile down: " + whileDown + "\nafter the restart: " + afterRestart
                + "\nrefusals: " + Member.refusals(pollers) + " / senders " + Member.refusals(senders);
        System.out.println(where);
        for (int i = 0; i < run.cluster().size(); i++) {
            assertTrue(run.cluster().isAlive(i), "node " + i + " never stopped: " + where);
            assertTrue(whileDown.get(i).startsWith("503 store_unavailable"), "node " + i + " while down: " + where);
            assertTrue(afterRestart.get(i).startsWith("200"), "node " + i + " after the restart: " + where);
        }
        Map<String, Integer> refusals = Member.refusals(senders);
        assertTrue(refusals.getOrDefault("503 store_unavailable", 0) > 0, "the senders met the outage: " + where);
        Map<String, Integer> all = new TreeMap<>(refusals);
        Member.refusals(pollers).forEach((what, n) -> all.merge(what, n, Integer::sum));
        all.remove("503 store_unavailable");
        assertEquals(Map.of(), all, "nothing but 503 store_unavailable: " + where);
        assertTrue(acknowledged.size() > 20, "a load worth the name: " + acknowledged.size());
        for (Member poller : pollers) {
            assertEquals(List.of(), poller.missing(acknowledged.keySet()), () -> "missing at " + poller + "; " + where);
            assertEquals(0, poller.repeated, () -> "repeated at " + poller);
            assertEquals(List.of(), poller.breaks(), () -> "ids not contiguous at " + poller);
        }
        // A newcomer's history has every acknowledged message, under the id its send was answered with.
        JsonNode history = run.cluster().client().join("late", room).get("history");
        Map<String, Long> kept = new TreeMap<>();
        history.forEach(event -> {
            if (event.get("type").asText().equals("message")) {
                kept.put(event.get("text").asText(), event.get("id").asLong());
            }
        });
        acknowledged.forEach((text, id) -> assertEquals(id, kept.get(text), "history of " + text));
    }

    /** One send straight to node {@code i}: its status and error code, or the exception's name. */
    private static String ask(int node, String... form) {
        try {
            Reply reply = run.cluster().client(node).postForm("send_msg", form);
            return Member.describe(reply);
        } catch (UncheckedIOException e) {
            return e.getCause().getClass().getSimpleName();
        }
    }
}
