package io.github.longpollchat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.launcher.ChatServer;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.Reply;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;

/**
 * The bundled page in real Chromium against the embedded jar server in this JVM: what a person
 * sees when two people chat, close tabs, reload, open many tabs of one room, or when the server
 * stops and starts again. Two browsers (alice's and bob's: two profiles) serve every test; a test
 * that needs a third person opens a tab under another name, which then works alone. Each test has
 * its own room, and the tests that stop the server, or count its clients and polls, their own
 * server.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BrowserChatIT {
    private static final AtomicInteger ROOMS = new AtomicInteger();
    /** The page's sendBeacon leave grace (chat.js) is 5 s; a closed tab must be gone well within this. */
    private static final Duration LEAVE_BUDGET = Duration.ofSeconds(10);

    private static ChatServer server;
    private static URI base;
    private static Browser alice;
    private static Browser bob;

    /** Servers a test started itself (stop and restart), stopped after it. */
    private final List<ChatServer> ownServers = new ArrayList<>();
    private String room;

    @BeforeAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    static void start() throws Exception {
        server = newServer(0);
        base = uri(server.port());
        alice = Browser.start("alice");
        bob = Browser.start("bob");
    }

    @AfterAll
    static void stop() throws Exception {
        try (Browser a = alice; Browser b = bob) {
            // closed in reverse order, even if one fails
        } finally {
            if (server != null) {
                server.stop();
            }
        }
    }

    @BeforeEach
    void freshRoom(TestInfo test) {
        String method = test.getTestMethod().map(m -> m.getName()).orElse("t");
        room = (method.length() > 24 ? method.substring(0, 24) : method) + "-" + ROOMS.incrementAndGet();
    }

    /** Console to the test's output, browsers back to one blank window online, own servers stopped. */
    @AfterEach
    void cleanUp(TestInfo test) throws Exception {
        try {
            for (Browser b : new Browser[] {alice, bob}) {
                if (b == null) {
                    continue;
                }
                List<String> console = b.consoleLog();
                if (!console.isEmpty()) {
                    System.out.println(test.getDisplayName() + " console of " + b.label() + ":\n  " + String.join("\n  ", console));
                }
                try {
                    b.driver().deleteNetworkConditions();
                } catch (RuntimeException none) {
                    // no conditions were set
                }
                b.reset();
            }
        } finally {
            for (ChatServer own : ownServers) {
                own.stop();
            }
        }
    }

    private static ChatServer newServer(int port) throws Exception {
        return ChatServer.newServer(Settings.defaults().with(Option.PORT, port).with(Option.HOST, "127.0.0.1")).start();
    }

    /** A server of this test's own, stopped after it. */
    private ChatServer ownServer(int port) throws Exception {
        ChatServer own;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                own = newServer(port);
                break;
            } catch (Exception e) {
                boolean bind = e instanceof BindException || e.getCause() instanceof BindException;
                if (!bind || port == 0 || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);   // the old socket is still closing
            }
        }
        ownServers.add(own);
        return own;
    }

    private static URI uri(int port) {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    // ---- scenarios ----

    @Test
    void twoUsersChatInBothDirectionsEachSeeingTheOtherWithinASecond() throws Exception {
        room = "team";   // this test's picture is docs/screenshot.png
        List<Long> delays = Conversation.play(base, room, alice, bob);
        System.out.println("delivery times (ms): " + delays);

        Path png = screenshot(alice, "conversation.png");
        assertTrue(Files.size(png) > 10_000, "a screenshot of the conversation");
        // docs/screenshot.png: refreshed only when asked (-Dchat.updateDocsScreenshot=true), so that
        // test runs do not touch the work tree.
        if (Boolean.getBoolean("chat.updateDocsScreenshot")) {
            Path docs = Files.createDirectories(Path.of("docs"));
            Files.copy(png, docs.resolve("screenshot.png"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void membersListUpdatesOnJoinAndOnLeaveWhenATabIsClosed() {
        alice.openChat(base, room, "alice");
        alice.awaitConnected();
        alice.awaitMembers(List.of("alice"), Browser.WAIT);

        bob.openChat(base, room, "bob");
        bob.awaitConnected();
        alice.awaitMembers(List.of("alice", "bob"), Browser.WAIT);
        bob.awaitMembers(List.of("alice", "bob"), Browser.WAIT);

        String bobsTab = bob.handle();
        bob.newTab();
        bob.openChat(base, room, "carol");
        bob.awaitConnected();
        bob.awaitMembers(List.of("alice", "bob", "carol"), Browser.WAIT);
        alice.awaitMembers(List.of("alice", "bob", "carol"), Browser.WAIT);
        bob.switchTo(bobsTab);
        bob.awaitMembers(List.of("alice", "bob", "carol"), Browser.WAIT);

        // Carol closes her tab: the page's pagehide beacon asks for a leave after its grace.
        bob.switchTo(bob.driver().getWindowHandles().stream().filter(h -> !h.equals(bobsTab)).findFirst().orElseThrow());
        long closedAt = System.nanoTime();
        bob.driver().close();
        bob.switchTo(bobsTab);
        alice.awaitMembers(List.of("alice", "bob"), LEAVE_BUDGET);
        long leftMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
        bob.awaitMembers(List.of("alice", "bob"), Duration.ofSeconds(2));
        System.out.println("carol left " + leftMs + " ms after her tab was closed");
        assertTrue(leftMs >= 4000, "the leave waits out the beacon's grace (5 s), in which a reload would resume; left after "
                + leftMs + " ms");
        for (Browser b : List.of(alice, bob)) {
            List<String> events = b.shown().stream().filter(s -> s.event() != null).map(Browser.Shown::event).toList();
            assertEquals(List.of("alice joined", "bob joined", "carol joined", "carol left"), events, b.label());
        }
    }

    @Test
    void aBigRoomShowsItsMemberCountTheNamesItKnowsAndAQuietLineForEachPresenceEvent() throws Exception {
        ChatServer big = ChatServer.newServer(Settings.defaults().with(Option.PORT, 0).with(Option.HOST, "127.0.0.1")
                .with(Option.PRESENCE_LIMIT, 2)).start();
        ownServers.add(big);
        alice.openChat(uri(big.port()), room, "alice");
        alice.awaitConnected();
        ChatClient http = new ChatClient(uri(big.port()));
        Map<String, String> ids = new java.util.LinkedHashMap<>();
        for (String name : List.of("bob", "carol", "dave", "erin")) {
            ids.put(name, http.join(name, room).get("clientId").asText());
        }
        // bob's join keeps the room at the limit: a join line; carol's, dave's and erin's are summed up.
        alice.awaitMembers(List.of("alice", "bob", "carol", "dave", "erin"), Browser.WAIT);
        assertEquals("(5)", memberCount(alice));
        List<String> lines = presenceLines(alice);
        List<String> told = new ArrayList<>();
        for (String line : lines) {
            assertTrue(line.endsWith(" joined"), line);
            told.addAll(List.of(line.substring(0, line.length() - " joined".length()).split(", | and ")));
        }
        assertEquals(List.of("carol", "dave", "erin"), told, "the presence lines name each join once: " + lines);

        http.leave(ids.get("bob"));
        alice.awaitMembers(List.of("alice", "carol", "dave", "erin"), Browser.WAIT);
        assertEquals("(4)", memberCount(alice));
        assertEquals("bob left", presenceLines(alice).get(presenceLines(alice).size() - 1));
    }

    private static String memberCount(Browser browser) {
        return (String) browser.js("return document.getElementById('member-count').textContent;");
    }

    private static List<String> presenceLines(Browser browser) {
        return browser.shown().stream().filter(s -> s.cls().contains("event-presence")).map(Browser.Shown::event).toList();
    }

    @Test
    void htmlInNamesAndMessagesIsShownAsLiteralTextAndNeverRun() {
        String evilAlice = "<img src=x onerror=__pwned=1>";
        String evilBob = "<script>__pwned=2</script>";
        String imgText = "<img src=x onerror=window.__pwned=3>";
        String scriptText = "<script>window.__pwned=4</script>";
        String entities = "&lt;b&gt;not bold&lt;/b&gt; & \"quotes\" 'too' <b>bold?</b>";

        alice.openChat(base, room, evilAlice);
        alice.awaitConnected();
        bob.openChat(base, room, evilBob);
        bob.awaitConnected();
        alice.awaitMembers(List.of(evilAlice, evilBob), Browser.WAIT);
        bob.awaitMembers(List.of(evilAlice, evilBob), Browser.WAIT);

        // One at a time, so that the order is known.
        for (String[] line : List.of(new String[] {"a", imgText}, new String[] {"b", scriptText}, new String[] {"a", entities})) {
            (line[0].equals("a") ? alice : bob).send(line[1]);
            alice.awaitMessage(line[1]);
            bob.awaitMessage(line[1]);
        }
        // A control image of the test's own (an error handler set from script, which the page's
        // CSP allows) fails to load "x" too: once it has, an <img src=x> in the page would have.
        for (Browser b : List.of(alice, bob)) {
            b.js("var img = new Image(); img.onerror = function () { window.__control = 1; }; img.src = 'x?control';");
            b.await(Duration.ofSeconds(5), "the control image's error",
                    d -> Long.valueOf(1).equals(b.js("return window.__control === 1 ? 1 : 0;")));
        }
        // The page's Content-Security-Policy blocks inline handlers and scripts as well, so
        // __pwned alone would not catch HTML insertion: the elements and texts below do.
        for (Browser b : List.of(alice, bob)) {
            assertEquals("undefined", b.js("return typeof window.__pwned;"), b.label() + ": injected code ran");
            assertEquals(0L, b.js("return document.querySelectorAll('img').length;"), b.label() + ": an <img> was made");
            assertEquals(2L, b.js("return document.scripts.length;"), b.label() + ": only the page's own two scripts");
            assertEquals(0L, b.js("return document.querySelectorAll('[data-testid=messages] b, [data-testid=members] b').length;"),
                    b.label() + ": a <b> was made");

            List<Browser.Shown> messages = b.shown().stream().filter(Browser.Shown::isMessage).toList();
            assertEquals(List.of(evilAlice + ": " + imgText, evilBob + ": " + scriptText, evilAlice + ": " + entities),
                    messages.stream().map(s -> s.sender() + ": " + s.text()).toList(), b.label());
            List<String> events = b.shown().stream().filter(s -> s.event() != null).map(Browser.Shown::event).toList();
            assertEquals(List.of(evilAlice + " joined", evilBob + " joined"), events, b.label());
            assertEquals(List.of(evilAlice, evilBob), b.members(), b.label());
        }
    }

    @Test
    void reloadResumesTheSameClientWithNoMessageMissingOrDoubled() throws Exception {
        aliceAndBobJoin(base);
        for (int i = 1; i <= 3; i++) {
            Browser writer = i % 2 == 1 ? alice : bob;
            writer.send("before the reload " + i);
            alice.awaitMessage("before the reload " + i);
            bob.awaitMessage("before the reload " + i);
        }
        List<Browser.Shown> aliceBefore = alice.shown();
        List<Browser.Shown> bobBefore = bob.shown();
        assertEquals(Browser.lines(bobBefore), Browser.lines(aliceBefore));
        String aliceSession = savedClient(alice);
        String bobsClientId = clientIdOf(bob);

        // Two messages from bob while alice's page reloads: one sent from the old page's own
        // pagehide (after the page stopped polling and asked for its grace leave, before the new
        // page resumes), one over plain HTTP right after the reload began.
        String byBeacon = "sent during the reload (beacon)";
        String byHttp = "sent during the reload (http)";
        alice.js("window.__oldPage = true;"
                + "var clientId = arguments[0], text = arguments[1];"
                + "window.addEventListener('pagehide', function () {"
                + "  navigator.sendBeacon('send_msg', new URLSearchParams({clientId: clientId, text: text, msgId: 'reload-beacon'}));"
                + "});"
                + "setTimeout(function () { location.reload(); }, 0);", bobsClientId, byBeacon);
        long reloadAt = System.nanoTime();
        Reply sent = new ChatClient(base).postForm("send_msg", "clientId", bobsClientId, "text", byHttp, "msgId", "reload-http");
        assertEquals(200, sent.status(), sent.toString());

        alice.await(Browser.WAIT, "the reloaded page", d -> Boolean.TRUE.equals(
                alice.js("return window.__oldPage === undefined && document.readyState === 'complete';")));
        alice.awaitConnected();
        long beaconId = alice.awaitMessage(byBeacon);
        long httpId = alice.awaitMessage(byHttp);
        bob.awaitMessage(byBeacon);
        bob.awaitMessage(byHttp);
        assertEquals(aliceSession.replaceAll("\"cursor\":\\d+", ""), savedClient(alice).replaceAll("\"cursor\":\\d+", ""),
                "the reloaded page kept its client (same clientId, name and room)");

        // Past the 5 s grace of the old page's leave: had the resume not cancelled it, bob would see alice leave.
        sleep(6500 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reloadAt));
        bob.send("after the grace");
        alice.awaitMessage("after the grace");
        bob.awaitMessage("after the grace");

        List<Browser.Shown> aliceAfter = alice.shown();
        List<Browser.Shown> bobAfter = bob.shown();
        assertEquals(Browser.lines(bobAfter), Browser.lines(aliceAfter), "alice's redrawn page shows what bob's shows");
        assertEquals(aliceBefore, aliceAfter.subList(0, aliceBefore.size()), "the history before the reload, redrawn as it was");
        List<Browser.Shown> added = aliceAfter.subList(aliceBefore.size(), aliceAfter.size());
        assertEquals(List.of("bob: " + byBeacon, "bob: " + byHttp, "bob: after the grace").stream().sorted().toList(),
                added.stream().map(s -> s.sender() + ": " + s.text()).sorted().toList(),
                "no join, no leave, no message missing or doubled: " + added);
        assertContiguous(aliceAfter);
        assertTrue(beaconId > aliceBefore.get(aliceBefore.size() - 1).id() && httpId > aliceBefore.get(aliceBefore.size() - 1).id());
        assertEquals(List.of("alice", "bob"), bob.members());
        assertEquals(List.of("alice", "bob"), alice.members());
    }

    @Test
    void aLoneTabWithTheSameClientPausesTheOtherAndUseHereTakesOver() throws Exception {
        aliceAndBobJoin(base);
        bob.send("hello from bob");
        alice.awaitMessage("hello from bob");
        String first = alice.handle();
        String clientId = clientIdOf(alice);
        List<Browser.Shown> bobBefore = bob.shown();

        // A second tab of the same browser that runs alone with the first one's client, as the
        // browser's "duplicate tab" makes where it has no Web Locks: a copy of the client in the
        // tab's own sessionStorage. It resumes the same client and polls for it.
        String saved = savedClient(alice);
        String second = alice.newTab();
        alice.driver().get(base + "no-page-here");   // of the chat's origin, so that its sessionStorage is this tab's
        alice.js("sessionStorage.setItem(arguments[0], arguments[1]);", "longpoll-chat:" + room, saved);
        alice.openChat(base, room, "alice");
        alice.awaitConnected();
        assertEquals(clientId, clientIdOf(alice), "the second tab resumed the same client");

        // The second tab's poll supersedes the first's: the first steps aside.
        alice.switchTo(first);
        alice.awaitState("paused", Browser.WAIT);
        WebElement useHere = alice.find("use-here");
        assertTrue(useHere.isDisplayed(), "the paused tab offers to use the chat here");
        assertFalse(alice.find("message-input").isEnabled(), "a paused tab cannot send");
        screenshot(alice, "paused.png");
        alice.switchTo(second);
        assertEquals("connected", alice.state(), "only one of the two tabs is paused");
        assertFalse(alice.find("use-here").isDisplayed());
        bob.send("to the second tab");
        alice.awaitMessage("to the second tab");

        // "Use here" in the first tab takes the chat back; now the second is paused.
        alice.switchTo(first);
        alice.find("use-here").click();
        alice.awaitConnected();
        alice.await(Browser.WAIT, "the banner to go", d -> !alice.find("use-here").isDisplayed());
        alice.awaitMessage("to the second tab");   // redrawn from the history
        assertTrue(alice.find("message-input").isEnabled());
        alice.switchTo(second);
        alice.awaitState("paused", Browser.WAIT);
        assertTrue(alice.find("use-here").isDisplayed());

        bob.send("to the first tab again");
        alice.switchTo(first);
        alice.awaitMessage("to the first tab again");
        alice.send("alice is back in the first tab");
        bob.awaitMessage("alice is back in the first tab");
        assertContiguous(alice.shown());
        // For bob nothing happened to alice: no leave, no join.
        List<Browser.Shown> bobAfter = bob.shown();
        assertEquals(bobBefore, bobAfter.subList(0, bobBefore.size()));
        assertEquals(List.of("bob: to the second tab", "bob: to the first tab again", "alice: alice is back in the first tab"),
                bobAfter.subList(bobBefore.size(), bobAfter.size()).stream().map(s -> s.sender() + ": " + s.text()).toList());
        assertEquals(List.of("alice", "bob"), bob.members());
    }

    @Test
    void serverStoppedThenStartedAgainThePageRejoinsShowsTheGapAndChatWorks() throws Exception {
        ChatServer first = ownServer(0);
        int port = first.port();
        URI here = uri(port);
        aliceAndBobJoin(here);
        alice.send("before the restart");
        bob.awaitMessage("before the restart");
        alice.awaitMessage("before the restart");
        bob.await(Browser.WAIT, "both pages to have a poll parked", d -> first.hub().stats().parkedPolls() == 2);

        // A real gap for alice: her browser goes offline (the poll it has parked still answers),
        // and of bob's next two messages she gets only the first; the second stays in the old
        // server's mailbox and is gone with it.
        ChromiumNetworkConditions offline = new ChromiumNetworkConditions();
        offline.setOffline(true);
        alice.driver().setNetworkConditions(offline);
        alice.awaitState("offline", Browser.WAIT);
        bob.send("alice still gets this");
        alice.awaitMessage("alice still gets this");
        bob.awaitMessage("alice still gets this");
        bob.await(Browser.WAIT, "alice's page to have no poll parked", d -> first.hub().stats().parkedPolls() == 1);
        bob.send("alice never gets this");
        bob.awaitMessage("alice never gets this");
        long aliceLast = last(alice.shown()).id();

        first.stop();
        bob.awaitState("reconnecting", Browser.WAIT);
        assertEquals("offline", alice.state());

        // Started again on the same port: a new, empty room. Carol (plain HTTP) gets there
        // first and writes more than alice had seen, so that the new room's ids reach past hers.
        ChatServer second = ownServer(port);
        ChatClient carol = new ChatClient(here);
        JsonNode carolJoin = carol.join("carol", room);
        String carolId = carolJoin.get("clientId").asText();
        List<String> carolsLines = new ArrayList<>();
        for (int i = 1; i <= aliceLast + 1; i++) {
            String line = "carol after the restart " + i;
            Reply reply = carol.postForm("send_msg", "clientId", carolId, "text", line);
            assertEquals(200, reply.status(), reply.toString());
            carolsLines.add(line);
        }

        alice.driver().deleteNetworkConditions();
        for (Browser b : List.of(alice, bob)) {
            b.awaitState("connected", Duration.ofSeconds(40));   // after the backoff, at most 30 s
            b.await(Browser.WAIT, "the gap notice", d -> !b.findAll("gap").isEmpty());
            for (String line : carolsLines) {
                b.awaitMessage(line);
            }
            b.awaitMembers(List.of("alice", "bob", "carol"), Browser.WAIT);
        }
        screenshot(alice, "gap.png");
        assertTrue(alice.idsOfText("alice never gets this").isEmpty());
        assertEquals("Some messages may have been missed", alice.find("gap").getText());

        // Chat works again, both ways.
        alice.send("alice after the restart");
        bob.awaitMessage("alice after the restart");
        bob.send("bob after the restart");
        alice.awaitMessage("bob after the restart");
        for (Browser b : List.of(alice, bob)) {
            List<Browser.Shown> shown = b.shown();
            assertContiguous(shown);
            for (String line : carolsLines) {
                assertEquals(1, b.idsOfText(line).size(), b.label() + " shows once: " + line);
            }
            assertEquals(3, second.hub().stats().clients(), "alice, bob and carol");
        }
    }

    @Test
    void aSendWhileTheServerIsDownIsShownAsFailedAndItsRetryIsDeliveredOnce() throws Exception {
        ChatServer first = ownServer(0);
        int port = first.port();
        URI here = uri(port);
        aliceAndBobJoin(here);
        alice.send("before the stop");
        bob.awaitMessage("before the stop");

        first.stop();
        alice.awaitState("reconnecting", Browser.WAIT);
        String text = "sent while the server was down";
        alice.send(text);
        WebElement failed = alice.await(Browser.WAIT, "the failed send", d -> alice.findAll("failed-send").stream()
                .filter(e -> e.getText().contains(text)).findFirst().orElse(null));
        WebElement retry = failed.findElement(By.cssSelector("button.retry"));
        assertTrue(retry.isDisplayed(), "a failed send has a Retry button");
        assertEquals("Retry", retry.getText());
        assertEquals(text, alice.find("message-input").getAttribute("value"), "the input keeps a text the server did not accept");
        assertTrue(alice.idsOfText(text).isEmpty());
        screenshot(alice, "failed-send.png");

        ownServer(port);
        alice.awaitState("connected", Duration.ofSeconds(40));
        bob.awaitState("connected", Duration.ofSeconds(40));
        bob.awaitMembers(List.of("alice", "bob"), Browser.WAIT);
        alice.await(Browser.WAIT, "the failed send to stay until retried", d -> !alice.findAll("failed-send").isEmpty());
        alice.findAll("failed-send").get(0).findElement(By.cssSelector("button.retry")).click();
        alice.awaitMessage(text);
        bob.awaitMessage(text);
        alice.await(Browser.WAIT, "the outbox to empty", d -> alice.findAll("failed-send").isEmpty()
                && (Long) alice.js("return document.querySelectorAll('#outbox > li').length;") == 0);
        assertEquals("", alice.find("message-input").getAttribute("value"), "the input is cleared once the server accepted it");

        // Exactly once, also a moment later.
        bob.send("marker after the retry");
        alice.awaitMessage("marker after the retry");
        bob.awaitMessage("marker after the retry");
        for (Browser b : List.of(alice, bob)) {
            assertEquals(1, b.idsOfText(text).size(), b.label() + ": " + b.shown());
            assertContiguous(b.shown());
        }
    }

    // ---- many tabs, one member ----

    @Test
    void eightTabsOfOneRoomAreOneMemberWithOneParkedPollAndOneLeader() throws Exception {
        ChatServer own = ownServer(0);
        List<String> tabs = openTabs(alice, uri(own.port()), "alice", 8);
        alice.await(Browser.WAIT, "one client with one parked poll on the server",
                d -> own.hub().stats().clients() == 1 && own.hub().stats().parkedPolls() == 1);
        assertEquals(1, leaders(alice, tabs).size(), "exactly one tab leads");
        for (String tab : tabs) {
            alice.switchTo(tab);
            assertEquals(List.of("alice"), alice.members());
            assertEquals(List.of("alice joined"), events(alice), "one join, whatever the tabs");
        }
        assertEquals(1, own.hub().stats().clients());
        assertEquals(1, own.hub().stats().parkedPolls());
    }

    @Test
    void eightTabsShowEveryMessageWithinASecondAndASendFromAnyTabArrivesOnce() throws Exception {
        List<String> tabs = openTabs(alice, base, "alice", 8);
        bob.openChat(base, room, "bob");
        bob.awaitConnected();
        bob.watchMessages();
        for (String tab : tabs) {
            alice.switchTo(tab);
            alice.watchMessages();
        }
        Map<String, Long> sentAt = new java.util.LinkedHashMap<>();
        for (int i = 0; i < tabs.size(); i++) {
            String text = "from tab " + i;
            alice.switchTo(tabs.get(i));
            alice.type(text);
            sentAt.put(text, System.currentTimeMillis());
            alice.pressEnter();
            alice.awaitMessage(text);
        }
        String fromBob = "from bob";
        bob.type(fromBob);
        sentAt.put(fromBob, System.currentTimeMillis());
        bob.pressEnter();

        List<Long> delays = new ArrayList<>();
        for (String tab : tabs) {
            alice.switchTo(tab);
            for (Map.Entry<String, Long> sent : sentAt.entrySet()) {
                alice.awaitMessage(sent.getKey());
                long ms = alice.seenAt(sent.getKey()) - sent.getValue();
                delays.add(ms);
                assertTrue(ms < Conversation.DELIVERY_BUDGET.toMillis(), "tab " + tabs.indexOf(tab) + " showed '"
                        + sent.getKey() + "' " + ms + " ms after it was sent");
                assertEquals(1, alice.idsOfText(sent.getKey()).size(), "once: " + sent.getKey());
            }
            assertContiguous(alice.shown());
        }
        for (String text : sentAt.keySet()) {
            bob.awaitMessage(text);
            assertEquals(1, bob.idsOfText(text).size(), "bob sees once: " + text);
        }
        System.out.println("delivery to 8 tabs (ms): max " + delays.stream().mapToLong(Long::longValue).max().orElseThrow()
                + ", all " + delays);
    }

    @Test
    void closingTheLeaderHandsThePollToAnotherTabWithinTwoSecondsWithNothingMissedOrDoubled() throws Exception {
        List<String> tabs = aliceInTabsAndBob(3);
        String leader = leaders(alice, tabs).get(0);
        List<String> others = tabs.stream().filter(t -> !t.equals(leader)).toList();
        for (String tab : others) {
            alice.switchTo(tab);
            alice.js("var status = document.querySelector('[data-testid=status]');"
                    + "new MutationObserver(function () {"
                    + "  if (status.getAttribute('data-leader') === 'true' && !window.__ledAt) { window.__ledAt = Date.now(); }"
                    + "}).observe(status, {attributes: true});");
        }

        alice.switchTo(leader);
        long closedAt = System.currentTimeMillis();
        alice.driver().close();
        // Sent while the poll changes hands: over plain HTTP, so that nothing waits for a browser.
        String bobsId = clientIdOf(bob);
        ChatClient http = new ChatClient(base);
        List<String> meanwhile = List.of("while the leader closed 1", "while the leader closed 2");
        for (String text : meanwhile) {
            Reply sent = http.postForm("send_msg", "clientId", bobsId, "text", text);
            assertEquals(200, sent.status(), sent.toString());
        }

        alice.switchTo(others.get(0));
        alice.await(Browser.WAIT, "another tab to lead", d -> leaders(alice, others).size() == 1);
        String next = leaders(alice, others).get(0);
        alice.switchTo(next);
        long ledMs = ((Number) alice.js("return window.__ledAt;")).longValue() - closedAt;
        System.out.println("a new leader " + ledMs + " ms after the leader's tab was closed");
        assertTrue(ledMs < 2000, "led after " + ledMs + " ms");

        // Past the 5 s grace of the closed leader's leave, which the new leader's poll cancelled.
        sleep(6500 - (System.currentTimeMillis() - closedAt));
        bob.send("after the grace");
        for (String tab : others) {
            alice.switchTo(tab);
            for (String text : List.of(meanwhile.get(0), meanwhile.get(1), "after the grace")) {
                alice.awaitMessage(text);
                assertEquals(1, alice.idsOfText(text).size(), "once: " + text);
            }
            assertContiguous(alice.shown());
            assertEquals(List.of("alice joined", "bob joined"), events(alice), "no leave");
            assertEquals(List.of("alice", "bob"), alice.members());
        }
        bob.awaitMessage("after the grace");
        assertEquals(List.of("alice joined", "bob joined"), events(bob), "bob saw alice neither leave nor join again");
    }

    @Test
    void reloadingATabThatLeadsOrNotKeepsOneMemberWithNothingMissingOrDoubled() throws Exception {
        List<String> tabs = aliceInTabsAndBob(2);
        String bobsId = clientIdOf(bob);
        ChatClient http = new ChatClient(base);
        long firstReloadAt = System.currentTimeMillis();
        for (String which : List.of("follower", "leader")) {
            String leader = leaders(alice, tabs).get(0);
            alice.switchTo(which.equals("leader") ? leader : tabs.stream().filter(t -> !t.equals(leader)).findFirst().orElseThrow());
            alice.js("window.__oldPage = true; setTimeout(function () { location.reload(); }, 0);");
            String text = "sent while the " + which + " reloads";
            assertEquals(200, http.postForm("send_msg", "clientId", bobsId, "text", text).status());
            alice.await(Browser.WAIT, "the reloaded page", d -> Boolean.TRUE.equals(
                    alice.js("return window.__oldPage === undefined && document.readyState === 'complete';")));
            alice.awaitConnected();
        }
        sleep(6500 - (System.currentTimeMillis() - firstReloadAt));   // past the grace of any leave
        bob.send("after the grace");
        assertEquals(1, leaders(alice, tabs).size(), "exactly one tab leads");
        for (String tab : tabs) {
            alice.switchTo(tab);
            for (String text : List.of("sent while the follower reloads", "sent while the leader reloads", "after the grace")) {
                alice.awaitMessage(text);
                assertEquals(1, alice.idsOfText(text).size(), "once: " + text);
            }
            assertContiguous(alice.shown());
            assertEquals(List.of("alice joined", "bob joined"), events(alice), "no leave, no second join");
        }
        bob.awaitMessage("after the grace");
        assertEquals(List.of("alice joined", "bob joined"), events(bob));
    }

    @Test
    void whenThePollIsTakenElsewhereEveryTabPausesAndUseHereInATabThatDoesNotLeadTakesItBack() throws Exception {
        List<String> tabs = aliceInTabsAndBob(2);
        String leader = leaders(alice, tabs).get(0);
        String follower = tabs.stream().filter(t -> !t.equals(leader)).findFirst().orElseThrow();
        // A lone tab with the member's client (as in aLoneTabWithTheSameClient…) takes the poll.
        String saved = savedClient(alice);
        String lone = alice.newTab();
        alice.driver().get(base + "no-page-here");
        alice.js("sessionStorage.setItem(arguments[0], arguments[1]);", "longpoll-chat:" + room, saved);
        alice.openChat(base, room, "alice");
        alice.awaitConnected();
        for (String tab : tabs) {
            alice.switchTo(tab);
            alice.awaitState("paused", Browser.WAIT);
            assertTrue(alice.find("use-here").isDisplayed(), "every tab of the member offers to use it here");
        }

        alice.switchTo(follower);
        alice.find("use-here").click();
        for (String tab : tabs) {
            alice.switchTo(tab);
            alice.awaitConnected();
            alice.await(Browser.WAIT, "the banner to go", d -> !alice.find("use-here").isDisplayed());
        }
        assertEquals(List.of(leader), leaders(alice, tabs), "the poll went back to the tab that leads");
        alice.switchTo(lone);
        alice.awaitState("paused", Browser.WAIT);
        bob.send("to alice's tabs again");
        for (String tab : tabs) {
            alice.switchTo(tab);
            alice.awaitMessage("to alice's tabs again");
            assertContiguous(alice.shown());
        }
    }

    @Test
    void closingATabThatDoesNotLeadMakesNoLeave() throws Exception {
        List<String> tabs = aliceInTabsAndBob(2);
        String leader = leaders(alice, tabs).get(0);
        alice.switchTo(tabs.stream().filter(t -> !t.equals(leader)).findFirst().orElseThrow());
        long closedAt = System.currentTimeMillis();
        alice.driver().close();
        alice.switchTo(leader);

        sleep(6500 - (System.currentTimeMillis() - closedAt));   // past any grace leave
        bob.send("after the grace");
        alice.awaitMessage("after the grace");
        bob.awaitMessage("after the grace");
        for (Browser b : List.of(alice, bob)) {
            assertEquals(List.of("alice joined", "bob joined"), events(b), b.label() + ": no leave");
            assertEquals(List.of("alice", "bob"), b.members(), b.label());
        }
        assertTrue(alice.isLeader(), "the leader still leads");
    }

    @Test
    void closingTheLastTabOfTheMemberLeavesWithinTheGrace() {
        List<String> tabs = aliceInTabsAndBob(2);
        bob.awaitMembers(List.of("alice", "bob"), Browser.WAIT);
        alice.newTab();   // a blank tab, so that the browser stays open
        String blank = alice.handle();
        alice.switchTo(tabs.get(1));
        alice.driver().close();
        alice.switchTo(tabs.get(0));
        alice.await(Browser.WAIT, "the remaining tab to lead", d -> alice.isLeader());
        long closedAt = System.nanoTime();
        alice.driver().close();
        alice.switchTo(blank);
        bob.awaitMembers(List.of("bob"), LEAVE_BUDGET);
        long leftMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
        System.out.println("alice left " + leftMs + " ms after her last tab was closed");
        assertTrue(leftMs >= 4000, "the leave waits out the beacon's grace (5 s), in which a reload would resume; left after "
                + leftMs + " ms");
        assertEquals(List.of("alice joined", "bob joined", "alice left"), events(bob));
    }

    @Test
    void aMemberThatIsGoneJoinsAgainOnceForAllItsTabs() throws Exception {
        ChatServer own = ownServer(0);
        URI at = uri(own.port());
        List<String> tabs = openTabs(alice, at, "alice", 2);
        bob.openChat(at, room, "bob");
        bob.awaitConnected();
        String gone = clientIdOf(alice);
        new ChatClient(at).leave(gone);   // as an expiry or eviction would: its parked poll gets 410

        bob.await(Browser.WAIT, "alice to leave and join again", d -> events(bob).equals(
                List.of("alice joined", "bob joined", "alice left", "alice joined")));
        alice.await(Browser.WAIT, "one new client for alice, with one parked poll",
                d -> own.hub().stats().clients() == 2 && own.hub().stats().parkedPolls() == 2);
        String follower = tabs.stream().filter(t -> !leaders(alice, tabs).contains(t)).findFirst().orElseThrow();
        alice.switchTo(follower);
        alice.send("from the tab that does not lead");
        bob.awaitMessage("from the tab that does not lead");
        for (String tab : tabs) {
            alice.switchTo(tab);
            alice.awaitMessage("from the tab that does not lead");
            assertNotEquals(gone, clientIdOf(alice), "the stored client is the new one");
            assertEquals(List.of("alice joined", "bob joined", "alice left", "alice joined"), events(alice));
            assertTrue(alice.findAll("gap").isEmpty(), "nothing was missed");
            assertContiguous(alice.shown());
            alice.awaitMembers(List.of("alice", "bob"), Browser.WAIT);
        }
        assertEquals(1, bob.idsOfText("from the tab that does not lead").size());
    }

    @Test
    void withoutWebLocksEachTabIsAMemberOfItsOwnAsInVersion1() throws Exception {
        ChatServer own = ownServer(0);
        URI at = uri(own.port());
        List<String> tabs = new ArrayList<>();
        for (String name : List.of("alice", "alice2")) {
            tabs.add(tabs.isEmpty() ? alice.handle() : alice.newTab());
            // Before the page's scripts run, as in a browser that has no Web Locks.
            Map<String, Object> script = alice.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                    Map.of("source", "Object.defineProperty(Navigator.prototype, 'locks', {get: function () { return undefined; }});"));
            try {
                alice.openChat(at, room, name);
                alice.awaitConnected();
            } finally {
                alice.driver().executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", script.get("identifier")));
            }
        }
        alice.await(Browser.WAIT, "two clients, each with a parked poll",
                d -> own.hub().stats().clients() == 2 && own.hub().stats().parkedPolls() == 2);
        for (String tab : tabs) {
            alice.switchTo(tab);
            assertTrue(alice.isLeader(), "a tab alone holds its own poll");
            assertEquals(Boolean.TRUE, alice.js("return navigator.locks === undefined"
                    + " && sessionStorage.getItem(arguments[0]) !== null && localStorage.getItem(arguments[0]) === null;",
                    "longpoll-chat:" + room), "its client is the tab's own, in sessionStorage");
            alice.awaitMembers(List.of("alice", "alice2"), Browser.WAIT);
        }
    }

    @Test
    void twoBrowserProfilesInOneRoomAreTwoMembersEachWithItsOwnLeader() throws Exception {
        ChatServer own = ownServer(0);
        URI at = uri(own.port());
        List<String> aliceTabs = openTabs(alice, at, "alice", 2);
        List<String> bobTabs = openTabs(bob, at, "bob", 2);
        alice.await(Browser.WAIT, "two clients, each with a parked poll",
                d -> own.hub().stats().clients() == 2 && own.hub().stats().parkedPolls() == 2);
        assertEquals(1, leaders(alice, aliceTabs).size());
        assertEquals(1, leaders(bob, bobTabs).size());
        for (Browser b : List.of(alice, bob)) {
            for (String tab : b == alice ? aliceTabs : bobTabs) {
                b.switchTo(tab);
                b.awaitMembers(List.of("alice", "bob"), Browser.WAIT);
            }
        }
        bob.send("bob's browser to alice's");
        alice.awaitMessage("bob's browser to alice's");
        alice.switchTo(aliceTabs.get(0));
        alice.awaitMessage("bob's browser to alice's");
    }

    // ---- a page people like to use ----

    @Test
    void afterJoiningTheMessageBoxHasTheFocus() {
        alice.openChat(base, room, "alice");
        alice.awaitConnected();
        alice.await(Browser.WAIT, "the focus in the message box",
                d -> "message-input".equals(alice.js("return document.activeElement.getAttribute('data-testid');")));
    }

    @Test
    void httpLinksInMessagesAreLinksAndTheRestStaysText() {
        aliceAndBobJoin(base);
        String text = "see https://example.org/a?b=1&c=<2>. not javascript:alert(1) nor <a href=\"http://x.test\">x</a>";
        alice.send(text);
        bob.awaitMessage(text);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> links = (List<Map<String, Object>>) bob.js(
                "return Array.from(document.querySelectorAll('[data-testid=messages] .text a')).map(function (a) {"
                + "  return {href: a.getAttribute('href'), rel: a.getAttribute('rel'), text: a.textContent}; });");
        assertEquals(List.of(
                Map.of("href", "https://example.org/a?b=1&c=", "rel", "noopener noreferrer", "text", "https://example.org/a?b=1&c="),
                Map.of("href", "http://x.test", "rel", "noopener noreferrer", "text", "http://x.test")), links,
                "only the http(s) URLs, cut where HTML would end them, each a link to exactly its text");
        assertEquals(1, bob.idsOfText(text).size(), "the message's text is unchanged, link texts included");
    }

    @Test
    void aRunOfJoinsAndLeavesIsOneQuietLine() {
        alice.openChat(base, room, "alice");
        alice.awaitConnected();
        ChatClient http = new ChatClient(base);
        List<String> ids = new ArrayList<>();
        for (String name : List.of("bob", "carol", "dave", "erin")) {
            ids.add(http.join(name, room).get("clientId").asText());
        }
        http.leave(ids.get(0));
        alice.awaitMembers(List.of("alice", "carol", "dave", "erin"), Browser.WAIT);
        assertEquals(List.of("alice, bob and 3 others joined, bob left"), visibleEvents(alice));
        assertEquals(List.of("alice joined", "bob joined", "carol joined", "dave joined", "erin joined", "bob left"), events(alice),
                "each event keeps its own element, with its id");

        http.send(ids.get(1), "a message ends the run");
        alice.awaitMessage("a message ends the run");
        http.leave(ids.get(2));
        alice.awaitMembers(List.of("alice", "carol", "erin"), Browser.WAIT);
        assertEquals(List.of("alice, bob and 3 others joined, bob left", "dave left"), visibleEvents(alice));
    }

    @Test
    void leaveThenJoinUnderAnotherNameFromTheForm() {
        aliceAndBobJoin(base);
        alice.find("leave-button").click();
        bob.awaitMembers(List.of("bob"), Browser.WAIT);
        alice.await(Browser.WAIT, "the form", d -> alice.find("name-input").isDisplayed());
        assertEquals(room, alice.find("room-input").getAttribute("value"));
        WebElement name = alice.find("name-input");
        name.clear();
        name.sendKeys("alicia");
        alice.find("join-button").click();
        alice.awaitConnected();
        bob.awaitMembers(List.of("alicia", "bob"), Browser.WAIT);
        assertEquals(List.of("alice joined", "bob joined", "alice left", "alicia joined"), events(bob));
        assertEquals(base + "?room=" + room, alice.driver().getCurrentUrl(), "the page's URL is the room's link, with no name");
    }

    @Test
    void theFormOpensAnotherRoom() {
        alice.driver().get(base + "?room=" + room);
        alice.await(Browser.WAIT, "the form", d -> alice.find("name-input").isDisplayed());
        alice.find("name-input").sendKeys("alice");
        WebElement roomInput = alice.find("room-input");
        roomInput.clear();
        roomInput.sendKeys(room + "-b");
        alice.find("join-button").click();
        alice.awaitConnected();
        assertEquals(base + "?room=" + room + "-b", alice.driver().getCurrentUrl());
        assertEquals(room + "-b", alice.find("room").getText());
        assertEquals(List.of("alice"), alice.members());
    }

    @Test
    void aReaderWhoScrolledUpIsToldOfNewMessagesBelow() {
        aliceAndBobJoin(base);
        String bobsId = clientIdOf(bob);
        ChatClient http = new ChatClient(base);
        for (int i = 1; i <= 18; i++) {   // under the rate limit (20 in 10 s), with bob's next one
            assertEquals(200, http.postForm("send_msg", "clientId", bobsId, "text", "line " + i + "\nand its second line").status());
        }
        alice.awaitMessage("line 18\nand its second line");
        alice.js("document.getElementById('log').scrollTop = 0;");
        assertFalse(alice.find("new-below").isDisplayed());
        bob.send("while alice reads back");
        alice.awaitMessage("while alice reads back");
        alice.await(Browser.WAIT, "the pill", d -> alice.find("new-below").isDisplayed());
        assertEquals(0L, alice.js("return document.getElementById('log').scrollTop;"), "the reader is left where they were");
        alice.find("new-below").click();
        alice.await(Browser.WAIT, "the log at its bottom, the pill gone", d -> !alice.find("new-below").isDisplayed()
                && Boolean.TRUE.equals(alice.js("var l = document.getElementById('log'); return l.scrollHeight - l.scrollTop - l.clientHeight < 2;")));
    }

    @Test
    void theJoinViewHasNoSeriousAccessibilityViolations() {
        alice.driver().get(base + "?room=" + room);
        alice.await(Browser.WAIT, "the form", d -> alice.find("name-input").isDisplayed());
        assertEquals(List.of(), Axe.seriousViolations(alice));
    }

    @Test
    void theChatViewHasNoSeriousAccessibilityViolationsInLightAndDarkMode() {
        aliceAndBobJoin(base);
        bob.send("a link: https://example.org/ and some text");
        alice.awaitMessage("a link: https://example.org/ and some text");
        assertEquals(List.of(), Axe.seriousViolations(alice), "light");
        alice.driver().executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        try {
            assertEquals(List.of(), Axe.seriousViolations(alice), "dark");
        } finally {
            alice.driver().executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
        }
    }

    @Test
    void onAPhoneTheChatFitsTheScreenWithNoSeriousAccessibilityViolations() throws Exception {
        // A 390 x 844 viewport, as a phone's; the log and the member strip full enough to scroll.
        alice.driver().executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));
        try {
            aliceAndBobJoin(base);
            ChatClient http = new ChatClient(base);
            for (String name : List.of("carol", "dave", "erin", "frank", "grace", "heidi")) {
                http.join(name, room);
            }
            String bobsId = clientIdOf(bob);
            String longLine = "a long line from bob, to see that nothing on a phone scrolls sideways, not even "
                    + "https://example.org/a/very/long/path/that/does/not/break/by/itself";
            for (int i = 1; i <= 6; i++) {
                assertEquals(200, http.postForm("send_msg", "clientId", bobsId, "text", i + ": " + longLine).status());
            }
            alice.awaitMessage("6: " + longLine);
            alice.awaitMembers(List.of("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"), Browser.WAIT);
            assertEquals(List.of(390L, 844L), alice.js("return [window.innerWidth, window.innerHeight];"));
            assertEquals(Boolean.TRUE, alice.js("var log = document.getElementById('log'), members = document.querySelector('[data-testid=members]');"
                    + "return log.scrollHeight > log.clientHeight && members.scrollWidth > members.clientWidth;"),
                    "the log and the member strip scroll");
            assertEquals(Boolean.TRUE, alice.js("return document.documentElement.scrollWidth <= window.innerWidth;"),
                    "no sideways scrolling of the page");
            screenshot(alice, "phone.png");
            assertEquals(List.of(), Axe.seriousViolations(alice));
        } finally {
            alice.driver().executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    // ---- helpers ----

    /** Alice, then bob, open this test's room at {@code at}; returns once alice's page shows them both. */
    private void aliceAndBobJoin(URI at) {
        alice.openChat(at, room, "alice");
        alice.awaitConnected();
        bob.openChat(at, room, "bob");
        bob.awaitConnected();
        alice.awaitMembers(List.of("alice", "bob"), Browser.WAIT);
    }

    /**
     * Opens this test's room at {@code at} as {@code name} in {@code count} tabs of the browser (the
     * first in its current window), each once it is connected; returns their handles.
     */
    private List<String> openTabs(Browser b, URI at, String name, int count) {
        List<String> tabs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tabs.add(i == 0 ? b.handle() : b.newTab());
            b.openChat(at, room, name);
            b.awaitConnected();
        }
        return tabs;
    }

    /** Alice opens this test's room in {@code count} tabs of her browser, then bob in his; returns alice's tabs. */
    private List<String> aliceInTabsAndBob(int count) {
        List<String> tabs = openTabs(alice, base, "alice", count);
        bob.openChat(base, room, "bob");
        bob.awaitConnected();
        return tabs;
    }

    /** The tabs among {@code tabs} that lead; leaves the browser in the last of them. */
    private static List<String> leaders(Browser b, List<String> tabs) {
        List<String> leading = new ArrayList<>();
        for (String tab : tabs) {
            b.switchTo(tab);
            if (b.isLeader()) {
                leading.add(tab);
            }
        }
        return leading;
    }

    /** The join, leave and presence lines the browser's current tab shows. */
    private static List<String> events(Browser b) {
        return b.shown().stream().filter(s -> s.event() != null).map(Browser.Shown::event).toList();
    }

    /** The join, leave and presence lines that the current tab shows on screen (a run of them is one). */
    @SuppressWarnings("unchecked")
    private static List<String> visibleEvents(Browser b) {
        return (List<String>) b.js("return Array.from(document.querySelectorAll('[data-testid=messages] > .event'))"
                + ".filter(function (e) { return e.offsetParent !== null; })"
                + ".map(function (e) { return e.querySelector('.event-text').textContent; });");
    }

    /** Writes what the browser shows to target/screenshots/NAME, for a person to look at. */
    private static Path screenshot(Browser b, String name) throws java.io.IOException {
        Path png = Files.createDirectories(Path.of("target", "screenshots")).resolve(name);
        Files.write(png, b.screenshot());
        return png;
    }

    /**
     * The page's saved client for this test's room (transport.js keeps it under
     * "longpoll-chat:ROOM"): a lone tab's in its sessionStorage, else the browser's in localStorage.
     */
    private String savedClient(Browser b) {
        return (String) b.js("return sessionStorage.getItem(arguments[0]) || localStorage.getItem(arguments[0]);",
                "longpoll-chat:" + room);
    }

    private String clientIdOf(Browser b) {
        String entry = savedClient(b);
        assertTrue(entry != null, b.label() + " has a saved session");
        return (String) b.js("return JSON.parse(arguments[0]).clientId;", entry);
    }

    private static Browser.Shown last(List<Browser.Shown> shown) {
        return shown.get(shown.size() - 1);
    }

    /** Ids strictly one after another: nothing missing, nothing twice, in order. */
    private static void assertContiguous(List<Browser.Shown> shown) {
        for (int i = 1; i < shown.size(); i++) {
            assertEquals(shown.get(i - 1).id() + 1, shown.get(i).id(), "ids in order with no hole: " + shown);
        }
        assertNotEquals(0, shown.size());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(Math.max(0, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
