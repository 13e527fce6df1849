package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.HubWatch;
import io.github.longpollchat.testing.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    /**
     * The room TTL, a sweep (at most every 250 ms) and a margin: how long Tomcat's rooms are given to
     * go; a cluster's, swept through Redis by nodes sharing 2 cores, are given 2 s of margin (600 ms
     * once fell short on a loaded machine).
     */
    private static final long FORGET_MILLIS = ROOM_TTL_SECONDS * 1000 + (ChatTarget.target().equals("cluster") ? 2000 : 600);

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.MAX_ROOMS, 2).and(Option.ROOM_TTL, ROOM_TTL_SECONDS);

    private final Api api = new Api(chat);
    private final List<Joined> made = new ArrayList<>();

    @AfterEach
    void endEveryClientAndLetTheRoomsGo() throws InterruptedException {
        made.forEach(client -> api.leave(client.clientId()));
        Optional<Hub> hub = chat.hub();
        if (hub.isPresent()) {
            HubWatch.await("every room to be forgotten", () -> hub.get().stats().rooms() == 0);
        } else {
            Thread.sleep(FORGET_MILLIS); // the WAR's hub is in Tomcat's JVM, where nothing shows its rooms
        }
    }

    private Joined join(String name, String room) {
        Joined joined = api.join(name, room);
        made.add(joined);
        return joined;
    }

    /** Joins a new room as soon as the server has a room free: until a held one is forgotten, 503. */
    private Joined joinOnceARoomIsFree(String name, String room) throws InterruptedException {
        long deadline = System.nanoTime() + HubWatch.PATIENCE.toNanos();
        Reply reply = api.joinReply(name, room);
        while (reply.status() == 503 && System.nanoTime() - deadline < 0) {
            Thread.sleep(100);
            reply = api.joinReply(name, room);
        }
        Checks.assertOk(reply);
        Joined joined = Joined.of(reply.json());
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
        // Both rooms are held until forgotten: a third can only be made afterwards. The first room,
        // quiet since before the second, is forgotten no later than it, so once c has a room the
        // first is gone; a's new room then waits for the second to go (a sweep may take them apart).
        joinOnceARoomIsFree("c", Unique.room());
        Joined again = joinOnceARoomIsFree("a", first);
        assertEquals(0, again.cursor(), "a new room: the old one is gone");
        assertEquals(0, again.history().size(), "its history too");
    }

    @Test
    void roomWithALiveClientIsKeptHoweverQuiet() throws Exception {
        String room = Unique.room();
        join("a", room);
        // A second room, emptied after a's join: the sweep that forgets it finds a's room quiet for
        // longer still, and would forget that one too, were a's being there not what keeps it.
        api.leave(join("y", Unique.room()).clientId());
        joinOnceARoomIsFree("z", Unique.room());
        Joined b = join("b", room);
        assertEquals(1, b.cursor(), "a's join is still there");
        assertTrue(b.members().contains("a"));
    }
}
