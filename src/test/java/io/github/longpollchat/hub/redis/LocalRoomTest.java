package io.github.longpollchat.hub.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.hub.PollResult;
import io.github.longpollchat.hub.PostedEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A poll whose Redis call parked it, registering on its node after wake-ups came meanwhile: the
 * race between the command and the pub/sub connections, which grouping polls makes common.
 */
@Timeout(10)
class LocalRoomTest {
    private final LocalRoom room = new LocalRoom("lobby");

    @Test
    void aPollThatMissedOnlyTheNewestEventIsAnsweredWithIt() {
        PollResult news = news(11);
        room.event(11, news, System.nanoTime());

        LocalRoom.Parking parking = room.park(poll(10));

        assertSame(news, parking.now());
        assertEquals(0, room.size(), "not parked");
    }

    @Test
    void aPollFurtherBehindReadsFromRedis() {
        room.event(11, news(11), System.nanoTime());
        room.event(12, news(12), System.nanoTime());

        LocalRoom.Parking parking = room.park(poll(10));

        assertNull(parking.now());
        assertTrue(parking.read());
        assertEquals(0, room.size(), "not parked");
    }

    @Test
    void afterWakeUpsMayHaveBeenLostNoPollIsAnsweredFromTheNewest() {
        room.event(11, news(11), System.nanoTime());
        room.forgetLast();

        LocalRoom.Parking parking = room.park(poll(10));

        assertNull(parking.now());
        assertFalse(parking.read());
        assertEquals(1, room.size(), "parked, for the check against Redis to answer");
    }

    private static PollResult news(long id) {
        return PollResult.batch(List.of(PostedEvent.stored(id, ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8))));
    }

    private static RedisPoll poll(long ack) {
        return new RedisPoll("digest", "lobby", ack, 1, System.nanoTime() + 30_000_000_000L, new CompletableFuture<>());
    }
}
