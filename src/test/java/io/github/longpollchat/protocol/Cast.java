package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.longpollchat.testing.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The clients a test joined, every one ended after it: for the tests of limits, each of which must
 * start from no client.
 *
 * <pre>{@code @RegisterExtension final Cast cast = new Cast(api);}</pre>
 */
final class Cast implements AfterEachCallback {
    private final Api api;
    private final List<String> ids = new ArrayList<>();

    Cast(Api api) {
        this.api = api;
    }

    Joined join(String name, String room) {
        Joined joined = api.join(name, room);
        ids.add(joined.clientId());
        return joined;
    }

    /** A join with these header fields added; a client it makes is ended after the test too. */
    Reply joinReply(List<String> headers, String name, String room) {
        Reply reply = api.joinReply(headers, name, room);
        if (reply.status() == 200) {
            ids.add(reply.json().get("clientId").textValue());
        }
        return reply;
    }

    /** Ends a client now. */
    void leave(Joined client) {
        api.leave(client.clientId());
        ids.remove(client.clientId());
    }

    /**
     * A join that a limit refuses, with this error, posts no event and adds no member, as a
     * member of the room sees it.
     */
    void assertJoinRefusedChangingNothing(Joined member, String name, int status, String code) {
        Api.Inbox inbox = api.inbox(member);
        inbox.drain();
        Joined before = api.view(member);
        assertError(api.joinReply(name, member.room()), status, code);
        assertEquals(List.of(), inbox.drain());
        Joined after = api.view(member);
        assertEquals(before.lastHistoryId(), after.lastHistoryId());
        assertEquals(Set.copyOf(before.members()), Set.copyOf(after.members()));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ids.forEach(api::leave);
        ids.clear();
    }
}
