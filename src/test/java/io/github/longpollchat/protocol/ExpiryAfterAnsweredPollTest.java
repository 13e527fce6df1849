package io.github.longpollchat.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.HubWatch;
import io.github.longpollchat.testing.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * "counted from the end of its last poll": a poll answered early, by news, ends then, not at its
 * timeout. With a poll timeout of 30 s and a client TTL of 1 s, a client that goes silent after
 * such an answer is expired a TTL (and the engine's slack of a few seconds at most) after it,
 * long before its poll's timeout had passed.
 */
@Timeout(60)
class ExpiryAfterAnsweredPollTest {
    private static final int TTL_SECONDS = 1;
    private static final int POLL_TIMEOUT_SECONDS = 30;
    /** The most an engine may take past the TTL: the Redis engine's renewal slack, rounding and sweep. */
    private static final long SLACK_MILLIS = 5_000;

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.CLIENT_TTL, TTL_SECONDS).and(Option.POLL_TIMEOUT, POLL_TIMEOUT_SECONDS);

    private final Api api = new Api(chat);

    @Test
    void aClientSilentAfterAPollAnsweredByNewsExpiresATtlAfterThatAnswerNotAfterItsTimeout() throws Exception {
        String room = Unique.room();
        // With a TTL of 1 s, a client that waits on the test for longer expires: alice parks at
        // once; bob's join is her news, and bob watches from then on.
        Joined alice = api.join("alice", room);
        CompletableFuture<Reply> parked = api.parkedPoll(alice.clientId(), alice.joinId(), POLL_TIMEOUT_SECONDS);
        Joined bob = api.join("bob", room);
        Reply answer = parked.get(10, TimeUnit.SECONDS);
        Checks.assertOk(answer);
        JsonNode news = answer.json().get("messages").get(0);
        JsonNode left = api.inbox(bob).await(Api.leaveOf("alice"), HubWatch.PATIENCE);

        long after = left.get("ts").longValue() - news.get("ts").longValue();
        assertTrue(after >= TTL_SECONDS * 1000 - 50, "not before its TTL: " + after + " ms");
        assertTrue(after <= TTL_SECONDS * 1000 + SLACK_MILLIS, "a TTL after the answer, not after the poll's 30 s: " + after + " ms");
    }
}
