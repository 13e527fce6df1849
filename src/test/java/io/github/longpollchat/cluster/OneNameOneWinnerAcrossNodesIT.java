package io.github.longpollchat.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Protocol v1.1 "Many nodes": names are unique in a room for the whole chat. Fifty joins with one
 * name, let go at once and spread over three jar nodes (straight to them, no balancer between),
 * make exactly one member; the other 49 are {@code 409 name_taken}. A few rooms in a row, so that
 * a race has more than one chance to show.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OneNameOneWinnerAcrossNodesIT {
    private static final int JOINS = 50;
    private static final int NODES = 3;
    private static final int ROOMS = 4;

    @RegisterExtension
    static final ClusterRun run = ClusterRun.with(false, Map.of(Option.MAX_CLIENTS, "1000"));

    @Test
    void fiftyJoinsWithOneNameAtOnceAcrossThreeNodesMakeExactlyOneMember() throws Exception {
        List<ChatClient> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            nodes.add(run.cluster().client(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(JOINS);
        try {
            for (int room = 0; room < ROOMS; room++) {
                String name = "race" + room;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> joins = new ArrayList<>();
                for (int j = 0; j < JOINS; j++) {
                    ChatClient node = nodes.get(j % NODES);
                    joins.add(pool.submit(() -> {
                        go.await();
                        return Member.describe(node.postForm("join", "name", "same", "room", name));
                    }));
                }
                go.countDown();
                Map<String, Integer> outcomes = new TreeMap<>();
                for (Future<String> join : joins) {
                    outcomes.merge(join.get(60, TimeUnit.SECONDS), 1, Integer::sum);
                }
                assertEquals(Map.of("200", 1, "409 name_taken", JOINS - 1), outcomes, "room " + name);
                JsonNode members = run.cluster().client().join("other", name).get("members");
                List<String> names = new ArrayList<>();
                members.forEach(m -> names.add(m.asText()));
                assertEquals(1, names.stream().filter("same"::equals).count(), "one 'same' among " + names);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
