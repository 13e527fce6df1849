package io.github.longpollchat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.longpollchat.testing.TomcatServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The page in real Chromium against the WAR in a real Tomcat 11, under its context path
 * {@code /longpoll-chat/}: the page, its scripts and every request it makes (polls, sends, the
 * pagehide beacon) must use relative URLs to work there. Skipped with {@code -DskipTomcat=true}.
 *
 * <p>Tomcat: {@code chat.tomcat.home} (set by the pom's {@code integration} execution), else
 * {@code target/tomcat-11/apache-tomcat-*} as the pom unpacks it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrowserOnTomcatIT {
    private static TomcatServer tomcat;
    private static Browser alice;
    private static Browser bob;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void start() throws Exception {
        assumeFalse(Boolean.getBoolean("chat.skipTomcat"), "skipTomcat");
        tomcat = new TomcatServer(tomcatHome(), Path.of(System.getProperty("chat.war", "target/longpoll-chat.war")),
                Map.of(), Path.of(System.getProperty("chat.tomcat.bases", "target/tomcat-bases")), "BrowserOnTomcatIT").start();
        alice = Browser.start("tomcat-alice");
        bob = Browser.start("tomcat-bob");
    }

    @AfterAll
    static void stop() throws Exception {
        try (Browser a = alice; Browser b = bob) {
            // both closed, even if one fails
        } finally {
            if (tomcat != null) {
                tomcat.stop();
            }
        }
    }

    @AfterEach
    void reset() {
        for (Browser b : new Browser[] {alice, bob}) {
            if (b != null) {
                b.reset();
            }
        }
    }

    private static Path tomcatHome() throws IOException {
        String home = System.getProperty("chat.tomcat.home");
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        Path unpacked = Path.of("target", "tomcat-11");
        try (Stream<Path> dirs = Files.isDirectory(unpacked) ? Files.list(unpacked) : Stream.empty()) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("apache-tomcat-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no Tomcat 11 under " + unpacked.toAbsolutePath()
                            + ": run mvn package without -DskipTomcat, or set chat.tomcat.home"));
        }
    }

    @Test
    void twoUsersChatInBothDirectionsEachSeeingTheOtherWithinASecond() {
        URI base = tomcat.base();
        assertTrue(base.getPath().equals("/" + TomcatServer.CONTEXT + "/"), base.toString());
        List<Long> delays = Conversation.play(base, "tomcat", alice, bob);
        System.out.println("delivery times on Tomcat (ms): " + delays);
    }

    @Test
    void membersListUpdatesOnLeaveWhenATabIsClosed() {
        URI base = tomcat.base();
        alice.openChat(base, "tabs", "alice");
        alice.awaitConnected();
        bob.openChat(base, "tabs", "bob");
        bob.awaitConnected();
        alice.awaitMembers(List.of("alice", "bob"), Browser.WAIT);

        // Bob closes his only tab: the beacon (a relative "leave") must reach /longpoll-chat/leave.
        String chat = bob.handle();
        String blank = bob.newTab();   // so that the browser stays open
        bob.switchTo(chat);
        long closedAt = System.nanoTime();
        bob.driver().close();
        bob.switchTo(blank);
        alice.awaitMembers(List.of("alice"), Duration.ofSeconds(10));
        System.out.println("bob left " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt) + " ms after his tab was closed");
        List<String> events = alice.shown().stream().filter(s -> s.event() != null).map(Browser.Shown::event).toList();
        assertEquals(List.of("alice joined", "bob joined", "bob left"), events);
    }
}
