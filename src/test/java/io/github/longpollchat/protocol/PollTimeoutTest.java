package io.github.longpollchat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code timeout} of {@code /get_msg} against a server poll timeout of 2 s. */
@Timeout(60)
class PollTimeoutTest {
    private static final int POLL_TIMEOUT = 2;

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.POLL_TIMEOUT, POLL_TIMEOUT);

    private final Api api = new Api(chat);

    @Test
    void joinAnswersPollTimeoutMsOfTheServersPollTimeout() {
        assertEquals(POLL_TIMEOUT * 1000L, api.join("alice", Unique.room()).pollTimeoutMs());
    }

    @Test
    void timeoutAboveTheServersPollTimeoutIsLoweredToIt() {
        Joined alice = api.join("alice", Unique.room());
        long elapsed = timedEmptyPoll("get_msg?clientId=" + alice.clientId() + "&cursor=" + alice.joinId() + "&timeout=60",
                alice.joinId());
        assertTrue(elapsed >= 1_800 && elapsed < 10_000, "parked for the server's 2 s, not 60: " + elapsed);
    }

    @Test
    void absentTimeoutMeansTheServersPollTimeout() {
        Joined alice = api.join("alice", Unique.room());
        long elapsed = timedEmptyPoll("get_msg?clientId=" + alice.clientId() + "&cursor=" + alice.joinId(), alice.joinId());
        assertTrue(elapsed >= 1_800 && elapsed < 10_000, "parked for the server's 2 s: " + elapsed);
    }

    @Test
    void emptyTimeoutIsTreatedAsAbsent() {
        Joined alice = api.join("alice", Unique.room());
        long elapsed = timedEmptyPoll("get_msg?clientId=" + alice.clientId() + "&cursor=" + alice.joinId() + "&timeout=",
                alice.joinId());
        assertTrue(elapsed >= 1_800 && elapsed < 10_000, "parked for the server's 2 s: " + elapsed);
    }

    @Test
    void timeoutBelowTheServersPollTimeoutIsKept() {
        Joined alice = api.join("alice", Unique.room());
        long elapsed = timedEmptyPoll("get_msg?clientId=" + alice.clientId() + "&cursor=" + alice.joinId() + "&timeout=1",
                alice.joinId());
        assertTrue(elapsed >= 900 && elapsed < 1_800, "parked for 1 s: " + elapsed);
    }

    /** Runs a poll that must time out empty; returns how long it was parked, in ms. */
    private long timedEmptyPoll(String path, long lastAcked) {
        long start = System.nanoTime();
        Reply reply = api.get(path);
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        Checks.assertOk(reply);
        JsonNode answer = reply.json();
        assertFalse(answer.get("status").booleanValue());
        assertEquals(0, answer.get("messages").size());
        assertEquals(lastAcked, answer.get("cursor").longValue());
        return elapsed;
    }
}
