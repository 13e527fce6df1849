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
        long elapsed = timedEmptyPollOfANewClient("&timeout=60");
        assertTrue(elapsed >= 1_800 && elapsed < 10_000, "parked for the server's 2 s, not 60: " + elapsed);
    }

    @Test
    void absentTimeoutMeansTheServersPollTimeout() {
        long elapsed = timedEmptyPollOfANewClient("");
        assertTrue(elapsed >= 1_800 && elapsed < 10_000, "parked for the server's 2 s: " + elapsed);
    }

    @Test
    void emptyTimeoutIsTreatedAsAbsent() {
        long elapsed = timedEmptyPollOfANewClient("&timeout=");
        assertTrue(elapsed >= 1_800 && elapsed < 10_000, "parked for the server's 2 s: " + elapsed);
    }

    @Test
    void timeoutBelowTheServersPollTimeoutIsKept() {
        long elapsed = timedEmptyPollOfANewClient("&timeout=1");
        // A poll is never answered before its timeout: parked for the server's 2 s, it could not be back
        // before 2,000 ms. That is the bound; the second below it is for the sweep and a loaded machine.
        assertTrue(elapsed >= 900 && elapsed < POLL_TIMEOUT * 1000, "parked for 1 s, not the server's 2 s: " + elapsed);
    }

    /**
     * Joins a new client alone in a new room and runs {@link #timedEmptyPoll} for it, past its own
     * join, with {@code timeoutParameter} (as it goes into the query, or empty) at the end.
     */
    private long timedEmptyPollOfANewClient(String timeoutParameter) {
        Joined alice = api.join("alice", Unique.room());
        return timedEmptyPoll("get_msg?clientId=" + alice.clientId() + "&cursor=" + alice.joinId() + timeoutParameter,
                alice.joinId());
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
