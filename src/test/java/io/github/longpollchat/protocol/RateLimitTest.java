package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.Reply;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The send rate limit: 3 messages in any 10 s window. */
@Timeout(60)
class RateLimitTest {
    private static final int LIMIT = 3;

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.RATE_LIMIT, LIMIT);

    private final Api api = new Api(chat);

    @Test
    void sendOverTheRateIs429WithRetryAfterInWholeSecondsOfAtLeast1() {
        Joined alice = api.join("alice", Unique.room());
        sendUpToTheLimit(alice);
        Reply refused = api.sendReply(alice.clientId(), "one too many");
        assertError(refused, 429, "rate_limited");
        String retryAfter = refused.header("Retry-After");
        assertTrue(retryAfter.matches("[0-9]+"), "whole seconds: " + retryAfter);
        long seconds = Long.parseLong(retryAfter);
        assertTrue(seconds >= 1 && seconds <= 10, "within the 10 s window: " + seconds);
    }

    @Test
    void refusedSendChangesNothing() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        Api.Inbox bobs = api.inbox(bob);
        sendUpToTheLimit(alice);
        assertEquals(LIMIT + 1, bobs.drain().size(), "bob's join and alice's messages");
        long lastId = api.view(bob).lastHistoryId();
        for (int i = 0; i < 3; i++) {
            assertError(api.sendReply(alice.clientId(), "refused " + i), 429, "rate_limited");
        }
        assertEquals(List.of(), bobs.drain(), "no message went out");
        assertEquals(lastId, api.view(bob).lastHistoryId());
        assertEquals(lastId + 1, api.send(bob.clientId(), "next"), "no id was used");
    }

    @Test
    void rateLimitIsPerClient() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        Joined bob = api.join("bob", room);
        sendUpToTheLimit(alice);
        assertError(api.sendReply(alice.clientId(), "over"), 429, "rate_limited");
        for (int i = 0; i < LIMIT; i++) {
            api.send(bob.clientId(), "bob " + i);
        }
    }

    @Test
    void onlyAcceptedNewMessagesCount() {
        Joined alice = api.join("alice", Unique.room());
        for (int i = 0; i < 5; i++) {
            assertError(api.sendReply(alice.clientId(), "bad\u0000"), 400, "invalid_text");
        }
        sendUpToTheLimit(alice);
    }

    @Test
    void repeatedMsgIdDoesNotCountAgainstTheRateLimit() {
        Joined alice = api.join("alice", Unique.room());
        long first = api.sendReply(alice.clientId(), "first", "k1").json().get("id").longValue();
        for (int i = 0; i < 5; i++) {
            Reply again = api.sendReply(alice.clientId(), "first", "k1");
            Checks.assertOk(again);
            assertEquals(first, again.json().get("id").longValue());
        }
        api.send(alice.clientId(), "second");
        api.send(alice.clientId(), "third");
        assertError(api.sendReply(alice.clientId(), "fourth"), 429, "rate_limited");
    }

    @Test
    void repeatedMsgIdIsAnsweredWithTheFirstResultEvenWhenOverTheRate() {
        Joined alice = api.join("alice", Unique.room());
        long first = api.sendReply(alice.clientId(), "first", "k1").json().get("id").longValue();
        api.send(alice.clientId(), "second");
        api.send(alice.clientId(), "third");
        assertError(api.sendReply(alice.clientId(), "fourth"), 429, "rate_limited");
        Reply again = api.sendReply(alice.clientId(), "first", "k1");
        Checks.assertOk(again);
        assertEquals(first, again.json().get("id").longValue());
    }

    @Test
    void rateLimitedSendWithMsgIdIsNotRemembered() {
        Joined alice = api.join("alice", Unique.room());
        sendUpToTheLimit(alice);
        assertError(api.sendReply(alice.clientId(), "late", "late-key"), 429, "rate_limited");
        assertError(api.sendReply(alice.clientId(), "late", "late-key"), 429, "rate_limited");
    }

    @Test
    void retryAfterCountsTheSecondsUntilTheOldestSendLeavesTheWindow() throws Exception {
        Joined alice = api.join("alice", Unique.room());
        long earlyAsked = System.nanoTime();
        api.send(alice.clientId(), "early");
        long earlyAnswered = System.nanoTime();
        Thread.sleep(2_100);
        for (int i = 1; i < LIMIT; i++) {
            api.send(alice.clientId(), "late " + i);
        }
        long refusalAsked = System.nanoTime();
        Reply refused = api.sendReply(alice.clientId(), "one too many");
        long refusalAnswered = System.nanoTime();
        assertError(refused, 429, "rate_limited");
        long seconds = Long.parseLong(refused.header("Retry-After"));
        // The early send is between these two ages when the server refuses; it leaves the 10 s window
        // after the rest of it, rounded up to whole seconds: 8 when the requests take no time at all.
        // The late sends, just made, would say 10.
        long youngest = refusalAsked - earlyAnswered;
        long oldest = refusalAnswered - earlyAsked;
        long fewest = Math.max(1, wholeSecondsUntilOutOfTheWindow(oldest));
        long most = wholeSecondsUntilOutOfTheWindow(youngest);
        assertTrue(most <= 8, "the sleep made the early send over 2 s old");
        assertTrue(seconds >= fewest && seconds <= most, "until the early send is 10 s old (" + fewest + " to " + most
                + " s, by the time the requests took): " + seconds);
    }

    /** The whole seconds, rounded up, until a send this old leaves the 10 s window. */
    private static long wholeSecondsUntilOutOfTheWindow(long ageNanos) {
        long left = TimeUnit.SECONDS.toNanos(10) - ageNanos;
        return Math.floorDiv(left + TimeUnit.SECONDS.toNanos(1) - 1, TimeUnit.SECONDS.toNanos(1));
    }

    private void sendUpToTheLimit(Joined client) {
        for (int i = 0; i < LIMIT; i++) {
            api.send(client.clientId(), "message " + i);
        }
    }
}
