package io.github.longpollchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.longpollchat.testing.RedisServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load generator's count of a Redis's calls, against a private redis-server (an IT: "mvn test" needs no Redis). */
@Timeout(60)
class RedisStatsIT {
    @Test
    void countsEachCommandsCallsBetweenTwoReadingsAndNotItsOwnInfo() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, Long> before = RedisStats.calls(redis.port());
            redis.cli("SET", "k", "v");
            redis.cli("GET", "k");
            redis.cli("GET", "k");
            Map<String, Long> delta = RedisStats.delta(before, RedisStats.calls(redis.port()));
            assertEquals(1L, delta.get("set"), delta.toString());
            assertEquals(2L, delta.get("get"), delta.toString());
            assertFalse(delta.containsKey("info"), delta.toString());
        }
    }
}
