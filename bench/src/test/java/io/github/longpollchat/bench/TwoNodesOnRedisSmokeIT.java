package io.github.longpollchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.Cluster;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A smoke run of bench/run.sh's chat-redis2 shape: the load generator sending each request to the
 * next of two jar nodes on one Redis, with their CPU and Redis's calls. Nothing lost or doubled,
 * the figures there; no timing asserted.
 */
@Timeout(180)
class TwoNodesOnRedisSmokeIT {
    @Test
    void tabsTakingTwoNodesInTurnLoseNothingAndRedisCallsAreCounted() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("chat.skipCluster"), "skipCluster");
        try (Cluster cluster = Cluster.start("TwoNodesOnRedisSmokeIT", 2, false, Map.of(Option.RATE_LIMIT, "0"))) {
            LoadGenerator.Result result = LoadGenerator.run(BenchOptions.parse("--url=" + cluster.node(0) + "," + cluster.node(1),
                    "--clients=60", "--messages=20", "--senders=2", "--rate=20", "--sources=2", "--warmup-seconds=0",
                    "--drain-seconds=30", "--verbose=false", "--redis-pid=" + cluster.redis().pid(),
                    "--redis-port=" + cluster.redis().port()));
            String report = result.table();
            System.out.print(report);
            assertEquals(60 * 20, result.expected(), report);
            assertEquals(0, result.missing(), report);
            assertEquals(0, result.duplicated(), report);
            assertEquals(0, result.errorCount(), report);
            assertTrue(result.json().get("redisCallsTotal").asLong() > 0, report);
            assertTrue(result.json().has("redisCpuSeconds"), report);
        }
    }
}
