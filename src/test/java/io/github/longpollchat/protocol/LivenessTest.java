package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.HubWatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Liveness and expiry with a client TTL of 1 s and a poll timeout of 3 s. The watching client
 * stays live by polling (a parked poll keeps it, and its TTL restarts when each poll ends).
 */
@Timeout(60)
class LivenessTest {
    private static final int TTL_SECONDS = 1;

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.CLIENT_TTL, TTL_SECONDS).and(Option.POLL_TIMEOUT, 3);

    private final Api api = new Api(chat);

    @Test
    void clientWithNoParkedPollIsExpiredAfterTheTtlWithALeaveEvent() {
        String room = Unique.room();
        Joined watcher = api.join("watcher", room);
        Api.Inbox watching = api.inbox(watcher);
        watching.drain();
        Joined idle = api.join("idle", room);
        JsonNode joined = watching.await(Api.joinOf("idle"), HubWatch.PATIENCE);
        JsonNode left = watching.await(Api.leaveOf("idle"), HubWatch.PATIENCE);
        long lived = left.get("ts").longValue() - joined.get("ts").longValue();
        assertTrue(lived >= TTL_SECONDS * 1000 - 50, "not expired before its TTL: " + lived + " ms");
        assertEquals(joined.get("id").longValue() + 1, left.get("id").longValue());
        assertFalse(api.view(watcher).members().contains("idle"));
        assertError(api.sendReply(idle.clientId(), "hello?"), 410, "unknown_client");
    }

    @Test
    void expiredClientsNextPollIs410AndItMayJoinAgainByName() {
        String room = Unique.room();
        Joined idle = api.join("idle", room);
        // Its expiry as the room sees it (asking the client itself would refresh it): its leave.
        Joined watcher = api.join("watcher", room);
        api.inbox(watcher).await(Api.leaveOf("idle"), HubWatch.PATIENCE);
        assertError(api.pollReply(idle.clientId(), null, 0), 410, "unknown_client");
        Joined again = api.join("idle", room, idle.clientId());
        assertNotEquals(idle.clientId(), again.clientId(), "a new client");
        List<String> history = new ArrayList<>();
        again.history().forEach(event -> history.add(event.get("type").textValue() + " " + event.get("name").textValue()));
        assertEquals(List.of("join idle", "join watcher", "leave idle"), history, "the history shows the old join and leave");
    }

    @Test
    void parkedPollKeepsTheClientAliveBeyondTheTtl() {
        Joined alice = api.join("alice", Unique.room());
        api.poll(alice.clientId(), alice.joinId(), 0);
        long start = System.nanoTime();
        JsonNode answer = api.poll(alice.clientId(), alice.joinId(), 2);
        long parked = (System.nanoTime() - start) / 1_000_000;
        assertTrue(parked >= 2 * TTL_SECONDS * 1000, "parked well past the TTL: " + parked);
        assertFalse(answer.get("status").booleanValue(), "a timeout, not a 410 or a leave");
        assertTrue(api.isLive(alice.clientId()));
        assertEquals(List.of("alice"), api.view(alice).members());
    }

    @Test
    void ttlCountsFromTheEndOfTheLastPoll() throws Exception {
        Joined alice = api.join("alice", Unique.room());
        api.poll(alice.clientId(), alice.joinId(), 2);
        Thread.sleep(TTL_SECONDS * 1000 / 2);
        assertTrue(api.isLive(alice.clientId()), "the TTL started when the poll ended, not when it began");
    }

    @Test
    void anyRequestWithTheClientIdRefreshesIt() throws Exception {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        long end = System.nanoTime() + 2_300_000_000L;
        int i = 0;
        while (System.nanoTime() < end) {
            if (i++ % 2 == 0) {
                api.send(alice.clientId(), "still here " + i);
            } else {
                api.join("alice", room, alice.clientId());
            }
            Thread.sleep(300);
        }
        assertTrue(api.isLive(alice.clientId()), "sends and resumes kept it past two TTLs");
        JsonNode history = api.view(alice).history();
        history.forEach(event -> assertFalse(Api.leaveOf("alice").test(event), "never left: " + event));
    }
}
