package io.github.longpollchat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The two-user conversation that runs against every server (the jar in this JVM, the WAR in
 * Tomcat): both join, each writes, each sees the other's message within a second.
 */
final class Conversation {
    /** How long a message may take from Enter in one browser to the other's screen. */
    static final Duration DELIVERY_BUDGET = Duration.ofSeconds(1);

    static final List<String[]> LINES = List.of(
            new String[] {"alice", "Hi Bob! Is the long-polling chat working for you?"},
            new String[] {"bob", "Loud and clear, Alice. Your message arrived at once."},
            new String[] {"alice", "Great. Reload the page if you like: it picks up where you left off."},
            new String[] {"bob", "Nice. And when the server restarts, the page joins again by itself."});

    private Conversation() {
    }

    /**
     * Opens the room in both browsers as alice and bob, then plays {@link #LINES}, each typed in
     * its writer's browser and awaited in the other's. Returns the measured delivery times in ms.
     */
    static List<Long> play(URI base, String room, Browser alice, Browser bob) {
        alice.openChat(base, room, "alice");
        alice.awaitConnected();
        bob.openChat(base, room, "bob");
        bob.awaitConnected();
        alice.awaitMembers(List.of("alice", "bob"), Browser.WAIT);
        bob.awaitMembers(List.of("alice", "bob"), Browser.WAIT);

        List<Long> delays = new ArrayList<>();
        for (String[] line : LINES) {
            Browser writer = line[0].equals("alice") ? alice : bob;
            Browser reader = writer == alice ? bob : alice;
            long ms = deliver(writer, reader, line[1]);
            delays.add(ms);
            System.out.printf("%s -> %s: %d ms (%s)%n", writer.label(), reader.label(), ms, line[1]);
            assertTrue(ms < DELIVERY_BUDGET.toMillis(),
                    writer.label() + "'s message took " + ms + " ms to reach " + reader.label());
        }
        // Both show the same conversation, each line once, attributed to its writer.
        for (Browser b : List.of(alice, bob)) {
            List<String> texts = b.shown().stream().filter(Browser.Shown::isMessage)
                    .map(s -> s.sender() + ": " + s.text()).toList();
            assertEquals(LINES.stream().map(l -> l[0] + ": " + l[1]).toList(), texts, b.label());
        }
        return delays;
    }

    /**
     * Types {@code text} in the writer's composer, presses Enter and returns the ms until the
     * reader's page has it on screen ({@link Browser#watchMessages}; both browsers read the same
     * system clock).
     */
    static long deliver(Browser writer, Browser reader, String text) {
        reader.watchMessages();
        writer.type(text);
        long sentAt = System.currentTimeMillis();
        writer.pressEnter();
        reader.awaitMessage(text, Duration.ofSeconds(5));
        Long seenAt = reader.seenAt(text);
        assertTrue(seenAt != null, "the observer saw no " + text);
        writer.awaitMessage(text, Duration.ofSeconds(5));   // the writer gets its own line back, too
        writer.await(Duration.ofSeconds(5), "the input to be cleared once the server accepted the message",
                d -> "".equals(writer.find("message-input").getAttribute("value")));
        return seenAt - sentAt;
    }
}
