package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code 503 server_full} at 2 rooms, and rooms forgotten 1 s after their last client and event.
 * Each test ends its clients and waits until their rooms are forgotten.
 */
@Timeout(60)
class MaxRoomsTest {
    private static final int ROOM_TTL_SECONDS = 1;
    /** The room TTL, a sweep (at most every 250 ms) and a margin. */
    private static final long FORGET_MILLIS = ROOM_TTL_SECONDS * 1000 + 600;

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.MAX_ROOMS, 2).and(Option.ROOM_TTL, ROOM_TTL_SECONDS);

    private final Api api = new Api(chat);
    private final List<Joined> made = new ArrayList<>();

    @AfterEach
    void endEveryClientAndLetTheRoomsGo() throws InterruptedException {
        made.forEach(client -> api.leave(client.clientId()));
        Thread.sleep(FORGET_MILLIS);
    }

    private Joined join(String name, String room) {
        Joined joined = api.join(name, room);
        made.add(joined);
        return joined;
    }

    @Test
    void joinThatWouldMakeOneRoomTooManyIsServerFull() {
        String one = Unique.room();
        join("a", one);
        join("b", Unique.room());
        assertError(api.joinReply("c", Unique.room()), 503, "server_full");
        join("c", one);
    }

    @Test
    void refusedJoinMakesNoRoom() {
        join("a", Unique.room());
        String refused = Unique.room();
        assertError(api.joinReply("b\u0007", refused), 400, "invalid_name");
        // Had the refused join made its room, this one would make a third.
        join("b", Unique.room());
        assertError(api.joinReply("c", refused), 503, "server_full");
    }

    @Test
    void roomWithNoClientAndNoEventForTheRoomTtlIsForgottenHistoryAndAll() throws Exception {
        String first = Unique.room();
        Joined a = api.join("a", first);
        api.send(a.clientId(), "soon forgotten");
        Joined b = api.join("b", Unique.room());
        api.leave(a.clientId());
        api.leave(b.clientId());
        // Both rooms are held until forgotten: a third can only be made afterwards.
        String third = Unique.room();
        long deadline = System.nanoTime() + 5_000_000_000L;
        Reply reply = api.joinReply("c", third);
        while (reply.status() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            reply = api.joinReply("c", third);
        }
        Checks.assertOk(reply);
        made.add(Joined.of(reply.json()));
        Joined again = join("a", first);
        assertEquals(0, again.cursor(), "a new room: the old one is gone");
        assertEquals(0, again.history().size(), "its history too");
    }

    @Test
    void roomWithALiveClientIsKeptHoweverQuiet() throws Exception {
        String room = Unique.room();
        join("a", room);
        Thread.sleep(FORGET_MILLIS);
        Joined b = join("b", room);
        assertEquals(1, b.cursor(), "a's join is still there");
        assertTrue(b.members().contains("a"));
    }
}
