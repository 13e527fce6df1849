package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Eviction on mailbox overflow, with a mailbox of 3 events. */
@Timeout(60)
class EvictionTest {
    private static final int MAILBOX = 3;

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.MAILBOX, MAILBOX);

    private final Api api = new Api(chat);

    @Test
    void oneEventMoreThanTheMailboxHoldsEvictsTheClient() {
        String room = Unique.room();
        Joined slow = api.join("slow", room);
        Joined bob = api.join("bob", room);
        Api.Inbox bobs = api.inbox(bob);
        bobs.drain();
        // slow holds its join, bob's join and one message: 3, a full mailbox.
        api.send(bob.clientId(), "three");
        bobs.drain();
        assertTrue(api.view(bob).members().contains("slow"), "a full mailbox is not yet an overflow");
        long fourth = api.send(bob.clientId(), "four");
        List<JsonNode> mail = bobs.drain();
        assertEquals(2, mail.size(), mail::toString);
        assertEquals(fourth, mail.get(0).get("id").longValue());
        assertTrue(Api.leaveOf("slow").test(mail.get(1)), "the others get its leave: " + mail);
        assertEquals(List.of("bob"), api.view(bob).members());
        assertError(api.pollReply(slow.clientId(), null, 0), 410, "unknown_client");
    }

    @Test
    void eventsReadButNotAcknowledgedStillFillTheMailbox() {
        String room = Unique.room();
        Joined reader = api.join("reader", room);
        Joined bob = api.join("bob", room);
        Api.Inbox bobs = api.inbox(bob);
        bobs.drain();
        api.send(bob.clientId(), "three");
        JsonNode read = api.poll(reader.clientId(), null, 0);
        assertEquals(MAILBOX, read.get("messages").size(), "read, but not acknowledged");
        api.send(bob.clientId(), "four");
        assertError(api.pollReply(reader.clientId(), null, 0), 410, "unknown_client");
        assertTrue(bobs.drain().stream().anyMatch(Api.leaveOf("reader")));
    }

    @Test
    void acknowledgedEventsMakeRoomInTheMailbox() {
        String room = Unique.room();
        Joined reader = api.join("reader", room);
        Joined bob = api.join("bob", room);
        Api.Inbox readers = api.inbox(reader);
        Api.Inbox bobs = api.inbox(bob);
        for (int i = 0; i < 10; i++) {
            api.send(bob.clientId(), "m" + i);
            readers.drain();
            bobs.drain();
        }
        assertTrue(api.isLive(reader.clientId()));
        assertEquals(2, api.view(bob).members().size());
    }

    @Test
    void evictedClientsParkedPollOrNextCallIs410AndItsNameIsFreeAgain() {
        String room = Unique.room();
        Joined slow = api.join("slow", room);
        Joined bob = api.join("bob", room);
        Api.Inbox bobs = api.inbox(bob);
        for (int i = 0; i < MAILBOX; i++) {
            api.send(bob.clientId(), "m" + i);
            bobs.drain();
        }
        assertFalse(api.view(bob).members().contains("slow"));
        assertError(api.sendReply(slow.clientId(), "late"), 410, "unknown_client");
        assertError(api.postForm("join", "name", "bob", "room", room), 409, "name_taken");
        assertEquals("slow", api.join("slow", room).name(), "its name is free again");
    }
}
