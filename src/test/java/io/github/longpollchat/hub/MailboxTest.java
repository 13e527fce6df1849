package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A mailbox closed by its client's end, alone, one call at a time. The hub reaches these states
 * only in the gap between a client leaving its room and leaving the hub's map, which no race test
 * hits reliably; here they are pinned down directly.
 */
class MailboxTest {
    private final Mailbox mailbox = new Mailbox(10, 0);
    private final Client client = new Client("c", "ann", "127.0.0.1", null, mailbox, 0);

    private static PostedEvent message(long id) {
        return new PostedEvent(new Event(id, "lobby", Event.MESSAGE, "bob", "hi " + id, 0));
    }

    private ParkedPoll parked() {
        return new ParkedPoll(client, result -> { }, System.nanoTime() + 30_000_000_000L);
    }

    @Test
    void aClosedMailboxAnswersAPollGone() {
        mailbox.offer(message(1), new ArrayList<>());
        mailbox.close();
        assertEquals(0, mailbox.size(), "closing frees the queue");

        Mailbox.Step step = mailbox.poll(0, parked());

        assertSame(PollResult.GONE, step.now());
        assertSame(PollResult.GONE, mailbox.current());
    }

    @Test
    void closingHandsBackTheParkedPollToBeAnswered() {
        ParkedPoll poll = parked();
        assertNull(mailbox.poll(0, poll).now(), "an empty mailbox parks the poll");

        assertSame(poll, mailbox.close());
        assertTrue(!mailbox.hasWaiter());
    }

    @Test
    void aClosedMailboxTakesNoEventsAndWakesNoOne() {
        mailbox.close();
        List<ParkedPoll> toWake = new ArrayList<>();

        assertTrue(mailbox.offer(message(1), toWake), "a closed mailbox is not full: its client is not evicted again");

        assertEquals(0, mailbox.size());
        assertTrue(toWake.isEmpty());
    }
}
