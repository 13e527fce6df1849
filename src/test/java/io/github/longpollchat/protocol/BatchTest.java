package io.github.longpollchat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many messages: batches of at most 500, the rate limit turned off, and the memory of msgIds. */
@Timeout(60)
class BatchTest {
    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.MAILBOX, 2000).and(Option.RATE_LIMIT, 0);

    private final Api api = new Api(chat);

    @Test
    void pollAnswersAtMost500MessagesOldestFirstAndTheRestOnTheNextPoll() throws Exception {
        String room = Unique.room();
        Joined sender = api.join("sender", room);
        Joined reader = api.join("reader", room);
        sendMany(sender.clientId(), 600);
        JsonNode first = api.poll(reader.clientId(), reader.cursor(), 0);
        JsonNode messages = first.get("messages");
        assertEquals(500, messages.size());
        for (int i = 0; i < 500; i++) {
            assertEquals(reader.joinId() + i, messages.get(i).get("id").longValue(), "oldest first");
        }
        assertEquals(reader.joinId() + 499, first.get("cursor").longValue(), "the last of the batch");
        JsonNode unacknowledged = api.poll(reader.clientId(), reader.cursor(), 0);
        assertEquals(first.get("messages"), unacknowledged.get("messages"), "the same batch until acknowledged");
        JsonNode rest = api.poll(reader.clientId(), first.get("cursor").longValue(), 30);
        assertEquals(101, rest.get("messages").size(), "own join plus 600 messages, less 500");
        assertEquals(reader.joinId() + 500, rest.get("messages").get(0).get("id").longValue());
        assertEquals(reader.joinId() + 600, rest.get("cursor").longValue());
    }

    @Test
    void joinReturnsTheLast100EventsOfTheRoomByDefault() throws Exception {
        String room = Unique.room();
        Joined sender = api.join("sender", room);
        sendMany(sender.clientId(), 150);
        Joined late = api.join("late", room);
        assertEquals(151, late.cursor());
        assertEquals(100, late.history().size());
        for (int i = 0; i < 100; i++) {
            assertEquals(52 + i, late.history().get(i).get("id").longValue(), "the newest 100, oldest first");
        }
    }

    @Test
    void rateLimitZeroTurnsTheLimitOff() throws Exception {
        Joined sender = api.join("sender", Unique.room());
        for (int i = 0; i < 100; i++) {
            Reply reply = api.sendReply(sender.clientId(), "m" + i);
            assertEquals(200, reply.status(), reply::toString);
        }
    }

    @Test
    void msgIdIsRememberedForAtLeastTheLast256Sends() {
        Joined sender = api.join("sender", Unique.room());
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            Reply reply = api.sendReply(sender.clientId(), "m" + i, "key-" + i);
            Checks.assertOk(reply);
            ids.add(reply.json().get("id").longValue());
        }
        for (int i : new int[] {0, 1, 128, 255}) {
            Reply again = api.sendReply(sender.clientId(), "again", "key-" + i);
            Checks.assertOk(again);
            assertEquals(ids.get(i), again.json().get("id").longValue(), "key-" + i + " is among the last 256");
        }
        assertEquals(ids.get(255) + 1, api.send(sender.clientId(), "new"), "the repeats made no message");
    }

    private void sendMany(String clientId, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String text = "message " + i;
                sent.add(pool.submit(() -> api.send(clientId, text)));
            }
            for (Future<Long> f : sent) {
                assertTrue(f.get(30, TimeUnit.SECONDS) > 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
