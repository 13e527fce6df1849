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
    private static final long TS = 1_765_000_000_000L;
    private final LocalRoom room = new LocalRoom("lobby");

    @Test
    void aPollThatMissedOnlyTheNewestEventIsAnsweredWithIt() {
        PollResult news = news(11);
        room.event(11, TS + 11, news, System.nanoTime());

        LocalRoom.Parking parking = room.park(poll(10));

        assertSame(news, parking.now());
        assertEquals(0, room.size(), "not parked");
    }

    @Test
    void aPollFurtherBehindReadsFromRedis() {
        room.event(11, TS + 11, news(11), System.nanoTime());
        room.event(12, TS + 12, news(12), System.nanoTime());

        LocalRoom.Parking parking = room.park(poll(10));

        assertNull(parking.now());
        assertTrue(parking.read());
        assertEquals(0, room.size(), "not parked");
    }

    @Test
    void afterWakeUpsMayHaveBeenLostNoPollIsAnsweredFromTheNewest() {
        room.event(11, TS + 11, news(11), System.nanoTime());
        room.forgetLast();

        LocalRoom.Parking parking = room.park(poll(10));

        assertNull(parking.now());
        assertFalse(parking.read());
        assertEquals(1, room.size(), "parked, for the check against Redis to answer");
    }

    @Test
    void aPollAnsweredAtOnceGetsTheEventsAfterItsCursorFromTheWakeUps() {
        for (long id = 11; id <= 15; id++) {
            room.event(id, TS + id, news(id), System.nanoTime());
        }

        assertEquals(List.of(12L, 13L, 14L, 15L), ids(room.recent(11, 15, TS + 15, 500)));
        assertEquals(List.of(12L, 13L), ids(room.recent(11, 15, TS + 15, 2)), "at most the batch size");
    }

    @Test
    void eventsNotAllToldByWakeUpsAreNotAnsweredFromThem() {
        room.event(11, TS + 11, news(11), System.nanoTime());
        room.event(13, TS + 13, news(13), System.nanoTime());

        assertNull(room.recent(11, 14, TS + 14, 500), "event 14's wake-up has not come yet");
        assertNull(room.recent(10, 13, TS + 13, 500), "12 was skipped, and 11 is of before the gap");
        assertEquals(List.of(13L), ids(room.recent(12, 13, TS + 13, 500)));
    }

    @Test
    void eventsOlderThanTheKeptOnesAreReadFromRedis() {
        for (long id = 1; id <= LocalRoom.RECENT + 5; id++) {
            room.event(id, TS + id, news(id), System.nanoTime());
        }

        assertNull(room.recent(2, LocalRoom.RECENT + 5, TS + LocalRoom.RECENT + 5, 500));
    }

    @Test
    void aLongEventIsNotKeptSoPollsThatNeedItReadIt() {
        room.event(11, TS + 11, news(11), System.nanoTime());
        byte[] longJson = new byte[LocalRoom.KEPT_BYTES + 1];
        room.event(12, TS + 12, PollResult.batch(List.of(PostedEvent.stored(12, longJson))), System.nanoTime());
        room.event(13, TS + 13, news(13), System.nanoTime());

        assertNull(room.recent(11, 13, TS + 13, 500));
        assertEquals(List.of(13L), ids(room.recent(12, 13, TS + 13, 500)));
    }

    @Test
    void anEventWithTheSameIdButAnotherTimeStampIsNotTakenForIt() {
        room.event(11, TS + 11, news(11), System.nanoTime());

        assertNull(room.recent(10, 11, TS + 999, 500), "Redis lost its data and made another event 11");
    }

    @Test
    void afterWakeUpsMayHaveBeenLostNoEventsAreAnsweredFromThem() {
        room.event(11, TS + 11, news(11), System.nanoTime());
        room.forgetLast();

        assertNull(room.recent(10, 11, TS + 11, 500));
    }

    private static List<Long> ids(List<PostedEvent> events) {
        return events.stream().map(PostedEvent::id).toList();
    }

    private static PollResult news(long id) {
        return PollResult.batch(List.of(PostedEvent.stored(id, ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8))));
    }

    private static RedisPoll poll(long ack) {
        return new RedisPoll("digest", "lobby", ack, 1, System.nanoTime() + 30_000_000_000L, new CompletableFuture<>());
    }
}
