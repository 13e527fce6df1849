package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many senders at once: ids are contiguous, and every recipient, polling as it goes, sees every
 * event of the room exactly once, in id order, with the same content for the same id.
 */
@Timeout(60)
class RoomOrderTest {
    private static final int SENDERS = 6;
    private static final int READERS = 4;
    private static final int PER_SENDER = 1500;

    @Test
    void everyRecipientSeesTheRoomsEventsOnceInIdOrder() throws Exception {
        try (MemoryHub hub = HubFixture.hub()) {
            List<JoinResult> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                readers.add(hub.joinNow("reader" + i, "busy", null, "127.0.0.1"));
            }
            List<JoinResult> senders = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                senders.add(hub.joinNow("sender" + i, "busy", null, "127.0.0.1"));
            }
            long firstMessageId = senders.get(SENDERS - 1).cursor() + 2;
            long lastId = firstMessageId + (long) SENDERS * PER_SENDER - 1;

            ExecutorService pool = Executors.newFixedThreadPool(SENDERS + READERS);
            CountDownLatch go = new CountDownLatch(1);
            AtomicBoolean failed = new AtomicBoolean();
            List<Future<List<PostedEvent>>> seen = new ArrayList<>();
            for (JoinResult reader : readers) {
                seen.add(pool.submit(() -> read(hub, reader, lastId, go)));
            }
            for (JoinResult sender : senders) {
                pool.submit(() -> {
                    go.await();
                    for (int n = 0; n < PER_SENDER && !failed.get(); n++) {
                        hub.sendNow(sender.clientId(), sender.name() + ":" + n, null);
                    }
                    return null;
                });
            }
            go.countDown();
            Map<Long, String> textById = new HashMap<>();
            for (int r = 0; r < READERS; r++) {
                List<PostedEvent> events = seen.get(r).get();
                long expected = readers.get(r).cursor() + 1;
                for (PostedEvent event : events) {
                    assertEquals(expected++, event.id(), "ids in order, none missing, none twice");
                    String text = textById.putIfAbsent(event.id(), event.event().type() + ":" + event.event().text());
                    if (text != null) {
                        assertEquals(text, event.event().type() + ":" + event.event().text(), "same event for the same id");
                    }
                }
                assertEquals(lastId, expected - 1);
            }
            pool.shutdownNow();
        }
    }

    /** Polls (parking when empty) until the last id arrives; returns everything received, acknowledged as it goes. */
    private static List<PostedEvent> read(MemoryHub hub, JoinResult reader, long lastId, CountDownLatch go) throws Exception {
        go.await();
        List<PostedEvent> all = new ArrayList<>();
        long cursor = reader.cursor();
        while (cursor < lastId) {
            HubFixture.Answers answers = new HubFixture.Answers();
            PollResult result = hub.poll(reader.clientId(), cursor, 5, answers);
            if (result == null) {
                result = answers.awaitFirst(10_000);
            }
            all.addAll(result.messages());
            cursor = result.cursor();
        }
        return all;
    }
}
