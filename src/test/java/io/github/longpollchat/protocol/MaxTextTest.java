package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code max-text} setting (here 5 code points) bounds a message's text. */
@Timeout(60)
class MaxTextTest {
    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.MAX_TEXT, 5);

    private final Api api = new Api(chat);

    @Test
    void textMayHaveUpToMaxTextCodePoints() {
        Joined alice = api.join("alice", Unique.room());
        api.send(alice.clientId(), "12345");
        api.send(alice.clientId(), "\uD83D\uDE00".repeat(5));
        api.send(alice.clientId(), "  a\r\nb\r\nc  ");
    }

    @Test
    void textOverMaxTextCodePointsIsInvalid() {
        Joined alice = api.join("alice", Unique.room());
        assertError(api.sendReply(alice.clientId(), "123456"), 400, "invalid_text");
        assertError(api.sendReply(alice.clientId(), "\uD83D\uDE00".repeat(6)), 400, "invalid_text");
    }
}
