package io.github.longpollchat.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.RawHttp;
import io.github.longpollchat.testing.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Delivery under faults. 45 pages in three rooms follow scripts drawn from a fixed seed while
 * senders race them: answers dropped before or while they are read, two polls at once (one
 * superseding the other), polls with stale cursors, reloads (resume), pauses long enough to be
 * expired (client TTL 2 s, in the quiet room) or evicted (mailbox of 50, in the busy room),
 * leaves in the middle of it all. Each page is tracked as the real page does it: it polls with
 * the last id it processed as its cursor, skips ids it has already shown, and after a 410 joins
 * again and fills the gap from the new join's history. The history is large enough to hold every
 * event, so that at the end every page's display can be checked against its room's history: no id
 * missing, none twice, all in order, each the same event.
 *
 * <p>{@code -Ddelivery.seed=N} replays another storm; the seed is printed and named in every failure.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeliveryStormTest {
    static final long SEED = Long.getLong("delivery.seed", 424242L);
    private static final int STEPS = 20;
    private static final int TTL_SECONDS = 2;
    private static final int MAILBOX = 50;
    private static final int POLL_SECONDS = 1;
    private static final String BUSY = "busy";
    private static final String MEDIUM = "medium";
    private static final String QUIET = "quiet";

    @RegisterExtension
    static ChatTarget chat = ChatTarget.with(Option.CLIENT_TTL, TTL_SECONDS)
            .and(Option.MAILBOX, MAILBOX)
            .and(Option.POLL_TIMEOUT, 2)
            .and(Option.HISTORY, 10_000)
            .and(Option.RATE_LIMIT, 0);

    private enum Role { STEADY, SLOW, EXPIRER, LEAVER }

    private enum Step { POLL, DROP_BEFORE_READ, DROP_WHILE_READING, TWO_POLLS, STALE_CURSOR, SHORT_PAUSE, SEND, RELOAD,
        LONG_PAUSE, LEAVE }

    private static ChatClient client;
    private static Hub hub;
    private static final List<Page> pages = new ArrayList<>();
    /** Every display that ended, by a leave or at the end of the test. */
    private static final List<Life> lives = new CopyOnWriteArrayList<>();
    private static final Map<String, Long> newest = new HashMap<>();
    private static final Map<String, Map<Long, String>> histories = new HashMap<>();
    private static final Map<String, Map<Long, Long>> timestamps = new HashMap<>();
    private static final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private static final List<String> harnessFailures = new CopyOnWriteArrayList<>();
    private static ExecutorService threads;

    /** One display of a page, from its first join until it leaves (a 410 and a join again do not end it). */
    private static final class Life {
        final String who;
        final String room;
        final List<Long> shown = new ArrayList<>();
        final Map<Long, String> content = new HashMap<>();
        final List<String> problems = new ArrayList<>();
        final List<String> trace = new ArrayList<>();
        long lastShown;
        boolean left;
        /** When the last poll of the drain, which found the mailbox empty, was sent (epoch ms). */
        long drainedAt;
        int clients;

        Life(String who, String room) {
            this.who = who;
            this.room = room;
        }

        void note(String line) {
            if (trace.size() < 60) {
                trace.add(line);
            }
        }
    }

    /** One simulated browser tab. */
    private static final class Page {
        final int index;
        final String name;
        final String room;
        final Role role;
        final Random random;
        Life life;
        volatile String clientId;
        int longPauses;

        Page(int index, String name, String room, Role role) {
            this.index = index;
            this.name = name;
            this.room = room;
            this.role = role;
            this.random = new Random(SEED * 31 + index);
        }

        /** Joins anew (first time, after a 410, or after a leave) and draws the history, skipping ids already shown. */
        synchronized void join() {
            if (life == null) {
                life = new Life(name, room);
            }
            Reply reply = client.postForm("join", "name", name, "room", room);
            if (reply.status() != 200) {
                life.problems.add("join refused: " + reply);
                clientId = null;
                return;
            }
            JsonNode joined = reply.json();
            clientId = joined.get("clientId").asText();
            life.clients++;
            long cursor = joined.get("cursor").asLong();
            JsonNode history = joined.get("history");
            if (history.size() > 0 && history.get(0).get("id").asLong() > life.lastShown + 1) {
                life.problems.add("history starts at " + history.get(0).get("id") + ", after " + life.lastShown
                        + ": messages missed (the history holds everything, so none should be)");
            }
            life.note("join → client " + life.clients + ", cursor " + cursor + ", history " + history.size());
            show(history, "history");
            if (life.lastShown != cursor) {
                life.problems.add("after the history the last id is " + life.lastShown + ", the join said " + cursor);
            }
        }

        /** Processes a batch as the page does: ids already shown are skipped, new ones must follow on. */
        synchronized void show(JsonNode messages, String source) {
            long previous = -1;
            for (JsonNode message : messages) {
                long id = message.get("id").asLong();
                if (previous >= 0 && id != previous + 1) {
                    life.problems.add(source + " batch not contiguous: " + previous + " then " + id);
                }
                previous = id;
                String content = message.get("type").asText() + "|" + message.get("name").asText() + "|"
                        + (message.hasNonNull("text") ? message.get("text").asText() : "");
                if (id <= life.lastShown) {
                    count("ids received again and skipped");
                    String first = life.content.get(id);
                    if (first != null && !first.equals(content)) {
                        life.problems.add("id " + id + " came again as " + content + ", first as " + first);
                    }
                    continue;
                }
                if (id != life.lastShown + 1) {
                    life.problems.add(source + ": id " + id + " after " + life.lastShown + " (gap)");
                }
                life.shown.add(id);
                life.content.put(id, content);
                life.lastShown = id;
            }
        }

        /**
         * The answer to a request of client {@code id}: show messages, note supersedes, and after a
         * 410 join again (once: a second 410 for the same, already replaced client is old news).
         */
        void answer(String id, Reply reply, String what) {
            if (reply == null) {
                return;
            }
            if (reply.status() == 410) {
                synchronized (this) {
                    life.note(what + " → 410");
                    if (!id.equals(clientId)) {
                        return;
                    }
                    count("410 " + room);
                    join();
                }
                return;
            }
            if (reply.status() != 200) {
                synchronized (this) {
                    life.problems.add(what + " answered " + reply);
                }
                return;
            }
            JsonNode body = reply.json();
            if (body.path("superseded").asBoolean()) {
                count("superseded");
            }
            synchronized (this) {
                life.note(what + " → " + body.get("messages").size() + " messages, cursor " + body.get("cursor"));
            }
            show(body.get("messages"), what);
        }

        String id() {
            String id = clientId;
            if (id == null) {
                join();
                id = clientId;
            }
            return id;
        }

        synchronized long cursor() {
            return life.lastShown;
        }

        void run(int steps) throws Exception {
            join();
            for (int s = 0; s < steps; s++) {
                step(next());
            }
        }

        Step next() {
            int roll = random.nextInt(100);
            Step step;
            if (roll < 40) {
                step = Step.POLL;
            } else if (roll < 47) {
                step = Step.DROP_BEFORE_READ;
            } else if (roll < 54) {
                step = Step.DROP_WHILE_READING;
            } else if (roll < 63) {
                step = Step.TWO_POLLS;
            } else if (roll < 68) {
                step = Step.STALE_CURSOR;
            } else if (roll < 75) {
                step = Step.SHORT_PAUSE;
            } else if (roll < 86) {
                step = Step.SEND;
            } else if (roll < 90) {
                step = Step.RELOAD;
            } else if (roll < 97) {
                step = role == Role.SLOW || role == Role.EXPIRER ? Step.LONG_PAUSE : Step.POLL;
            } else {
                step = role == Role.LEAVER ? Step.LEAVE : Step.POLL;
            }
            if (step == Step.LONG_PAUSE && longPauses >= 2) {
                step = Step.POLL;
            }
            return step;
        }

        void step(Step step) throws Exception {
            String id = id();
            if (id == null) {
                return;
            }
            long cursor = cursor();
            switch (step) {
                case POLL -> answer(id, client.poll(id, cursor, POLL_SECONDS), "poll " + cursor);
                case DROP_BEFORE_READ -> {
                    dropPoll(id, cursor, false);
                    count("answers dropped before reading");
                }
                case DROP_WHILE_READING -> {
                    dropPoll(id, cursor, true);
                    count("answers dropped while reading");
                }
                case TWO_POLLS -> {
                    CompletableFuture<Reply> first = client.pollAsync(id, cursor, POLL_SECONDS);
                    Thread.sleep(random.nextInt(30));
                    CompletableFuture<Reply> second = client.pollAsync(id, cursor, POLL_SECONDS);
                    answer(id, second.get(10, TimeUnit.SECONDS), "second of two polls " + cursor);
                    answer(id, first.get(10, TimeUnit.SECONDS), "first of two polls " + cursor);
                }
                case STALE_CURSOR -> {
                    long stale = Math.max(0, cursor - 1 - random.nextInt(5));
                    answer(id, client.poll(id, stale, POLL_SECONDS), "stale poll " + stale);
                }
                case SHORT_PAUSE -> Thread.sleep(100 + random.nextInt(250));
                case SEND -> {
                    Reply sent = client.postForm("send_msg", "clientId", id, "text", name + " says " + random.nextInt(1000),
                            "msgId", "p" + index + "-" + random.nextInt(1_000_000));
                    if (sent.status() == 410) {
                        answer(id, sent, "send");
                    }
                }
                case RELOAD -> reload(id);
                case LONG_PAUSE -> {
                    longPauses++;
                    count("long pauses " + room);
                    // Quiet room: long enough to be expired. Busy room: enough messages meanwhile to overflow.
                    Thread.sleep(role == Role.EXPIRER ? (TTL_SECONDS * 1000L + 1200) : 2000);
                }
                case LEAVE -> {
                    Reply left = client.postForm("leave", "clientId", id);
                    if (left.status() != 204) {
                        synchronized (this) {
                            life.problems.add("leave answered " + left);
                        }
                    }
                    count("leaves");
                    synchronized (this) {
                        life.left = true;
                        life.note("leave");
                        lives.add(life);
                        life = null;
                        clientId = null;
                    }
                    Thread.sleep(random.nextInt(200));
                    join();
                }
                default -> throw new IllegalStateException();
            }
        }

        /** A reload: resume with the client id; a client expired meanwhile is joined anew, as the protocol says. */
        void reload(String id) {
            Reply reply = client.postForm("join", "name", name, "room", room, "clientId", id);
            if (reply.status() != 200) {
                synchronized (this) {
                    life.problems.add("reload answered " + reply);
                }
                return;
            }
            JsonNode joined = reply.json();
            synchronized (this) {
                if (joined.get("clientId").asText().equals(id)) {
                    count("resumes");
                    long acked = joined.get("cursor").asLong();
                    if (acked > life.lastShown) {
                        life.problems.add("resume says acknowledged " + acked + ", but only " + life.lastShown + " was shown");
                    }
                    life.note("resume → cursor " + acked);
                    show(joined.get("history"), "resume history");
                } else {
                    // Expired just before the reload: this was a new join, with its own join event.
                    count("reloads that found the client gone");
                    clientId = joined.get("clientId").asText();
                    life.clients++;
                    life.note("reload → joined anew");
                    show(joined.get("history"), "reload history");
                }
            }
        }

        /** A poll over a bare socket whose answer is lost: closed before it is read, or in the middle of reading it. */
        void dropPoll(String id, long cursor, boolean readSome) throws IOException {
            try (Socket socket = RawHttp.open(chat.base().getPort(), (POLL_SECONDS + 5) * 1000)) {
                OutputStream out = socket.getOutputStream();
                out.write(("GET /" + ChatClient.pollPath(id, cursor, POLL_SECONDS) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (readSome) {
                    InputStream in = socket.getInputStream();
                    byte[] some = new byte[1 + random.nextInt(200)];
                    int got = in.read(some);
                    synchronized (this) {
                        life.note("dropped poll " + cursor + " after " + got + " bytes");
                    }
                } else {
                    synchronized (this) {
                        life.note("dropped poll " + cursor + " unread");
                    }
                }
            }
        }

        /** At the end: poll until nothing is left, then the display is final. */
        void drain() throws Exception {
            int empty = 0;
            for (int i = 0; i < 200 && empty < 2; i++) {
                String id = id();
                long sentAt = System.currentTimeMillis();
                Reply reply = client.poll(id, cursor(), 0);
                if (reply.status() == 200 && reply.json().get("messages").size() == 0) {
                    empty++;
                    synchronized (this) {
                        life.drainedAt = sentAt;
                    }
                } else {
                    empty = 0;
                }
                answer(id, reply, "drain");
            }
        }
    }

    private static void count(String what) {
        counts.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    @BeforeAll
    static void storm() throws Exception {
        assumeTrue(chat.hub().isPresent(), "needs the server in this JVM");
        hub = chat.hub().orElseThrow();
        client = chat.client();
        int index = 0;
        for (int i = 0; i < 18; i++) {
            Role role = i < 11 ? Role.STEADY : i < 15 ? Role.SLOW : Role.LEAVER;
            pages.add(new Page(index++, "b" + i, BUSY, role));
        }
        for (int i = 0; i < 15; i++) {
            Role role = i < 9 ? Role.STEADY : i < 12 ? Role.LEAVER : Role.SLOW;
            pages.add(new Page(index++, "m" + i, MEDIUM, role));
        }
        for (int i = 0; i < 12; i++) {
            Role role = i < 5 ? Role.STEADY : i < 10 ? Role.EXPIRER : Role.LEAVER;
            pages.add(new Page(index++, "q" + i, QUIET, role));
        }
        threads = Executors.newCachedThreadPool();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        long start = System.nanoTime();
        List<Future<?>> scripts = new ArrayList<>();
        for (Page page : pages) {
            scripts.add(threads.submit(() -> {
                page.run(STEPS);
                return null;
            }));
        }
        List<Future<?>> senders = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            Random random = new Random(SEED * 17 + s);
            senders.add(threads.submit(() -> {
                while (running.get()) {
                    int roll = random.nextInt(100);
                    String room = roll < 62 ? BUSY : roll < 95 ? MEDIUM : QUIET;
                    List<Page> inRoom = pages.stream().filter(p -> p.room.equals(room)).toList();
                    Page as = inRoom.get(random.nextInt(inRoom.size()));
                    String id = as.clientId;
                    if (id != null) {
                        Reply reply = client.send(id, "storm " + sent.incrementAndGet());
                        if (reply.status() != 200 && reply.status() != 410) {
                            harnessFailures.add("a sender got " + reply);
                        }
                    }
                    Thread.sleep(25);
                }
                return null;
            }));
        }
        for (Future<?> script : scripts) {
            script.get(90, TimeUnit.SECONDS);
        }
        running.set(false);
        for (Future<?> sender : senders) {
            sender.get(30, TimeUnit.SECONDS);
        }
        List<Future<?>> drains = new ArrayList<>();
        for (Page page : pages) {
            drains.add(threads.submit(() -> {
                page.drain();
                return null;
            }));
        }
        for (Future<?> drain : drains) {
            drain.get(30, TimeUnit.SECONDS);
        }
        // The rooms' final word: a last join into each sees the whole history, and its cursor is the newest id.
        for (String room : List.of(BUSY, MEDIUM, QUIET)) {
            JsonNode final_ = client.join("zz-final", room);
            newest.put(room, final_.get("cursor").asLong());
            Map<Long, String> events = new HashMap<>();
            Map<Long, Long> times = new HashMap<>();
            long expected = 1;
            for (JsonNode event : final_.get("history")) {
                long id = event.get("id").asLong();
                if (id != expected++) {
                    harnessFailures.add(room + ": history ids not contiguous at " + id);
                }
                events.put(id, event.get("type").asText() + "|" + event.get("name").asText() + "|"
                        + (event.hasNonNull("text") ? event.get("text").asText() : ""));
                times.put(id, event.get("ts").asLong());
            }
            histories.put(room, events);
            timestamps.put(room, times);
            client.leave(final_.get("clientId").asText());
        }
        for (Page page : pages) {
            lives.add(page.life);
        }
        System.out.printf("delivery storm: seed %d, %d pages, %d steps each, %d messages from senders, %d ms; "
                        + "newest ids %s; %s%n", SEED, pages.size(), STEPS, sent.get(),
                (System.nanoTime() - start) / 1_000_000, newest, new TreeMap<>(counts));
    }

    @AfterAll
    static void stopThreads() {
        if (threads != null) {
            threads.shutdownNow();
        }
    }

    private static String failure(String what, List<String> problems) {
        StringBuilder text = new StringBuilder(problems.size() + " " + what + " (seed " + SEED
                + "; rerun with -Ddelivery.seed=" + SEED + "):");
        problems.stream().limit(20).forEach(p -> text.append("\n  - ").append(p));
        return text.toString();
    }

    private static String describe(Life life) {
        return life.who + " in " + life.room + " (" + life.clients + " clients)";
    }

    @Test
    @Order(1)
    void theHarnessItselfRanCleanly() {
        assertTrue(harnessFailures.isEmpty(), failure("harness failures", harnessFailures));
    }

    @Test
    @Order(2)
    void everyPageShowedEveryIdOnceInOrderWithNoGap() {
        List<String> problems = new ArrayList<>();
        for (Life life : lives) {
            for (String problem : life.problems) {
                problems.add(describe(life) + ": " + problem + "\n      trace: " + String.join("; ", life.trace));
            }
            for (int i = 0; i < life.shown.size(); i++) {
                if (life.shown.get(i) != i + 1) {
                    problems.add(describe(life) + ": shown ids do not run 1, 2, 3…: position " + i + " holds "
                            + life.shown.get(i));
                    break;
                }
            }
        }
        assertTrue(problems.isEmpty(), failure("pages with an id missing, twice or out of order", problems));
    }

    /**
     * A page that stayed has every event up to its drain: its last poll found the mailbox empty, so
     * every event posted before that poll was sent must be on its display. (Events after it, such
     * as the leave of a page that expired while the others drained, it need not have.)
     */
    @Test
    @Order(3)
    void everyPageThatStayedLiveReceivedTheWholeHistory() {
        List<String> problems = new ArrayList<>();
        for (Life life : lives) {
            if (life.left) {
                continue;
            }
            Map<Long, Long> times = timestamps.get(life.room);
            if (life.drainedAt == 0) {
                problems.add(describe(life) + ": never drained");
            }
            for (long id = life.lastShown + 1; id <= newest.get(life.room); id++) {
                if (times.get(id) < life.drainedAt) {
                    problems.add(describe(life) + ": last shown " + life.lastShown + ", but event " + id + " of "
                            + times.get(id) + " came before its last, empty poll at " + life.drainedAt
                            + "\n      trace: " + String.join("; ", life.trace));
                    break;
                }
            }
            if (life.lastShown < newest.get(life.room)) {
                count("pages whose room moved on after their drain");
            }
        }
        assertTrue(problems.isEmpty(), failure("live pages missing the end of their room's history", problems));
    }

    @Test
    @Order(4)
    void everyShownMessageIsTheRoomsEventOfThatId() {
        List<String> problems = new ArrayList<>();
        for (Life life : lives) {
            Map<Long, String> history = histories.get(life.room);
            for (long id : life.shown) {
                if (!life.content.get(id).equals(history.get(id))) {
                    problems.add(describe(life) + ": id " + id + " shown as " + life.content.get(id) + ", the room has "
                            + history.get(id));
                }
            }
        }
        assertTrue(problems.isEmpty(), failure("messages that differ from the room's history", problems));
    }

    @Test
    @Order(5)
    void theStormExercisedEveryFault() {
        Map<String, Integer> seen = new HashMap<>();
        counts.forEach((k, v) -> seen.put(k, v.get()));
        String all = "seed " + SEED + ", counts " + seen;
        for (String fault : List.of("answers dropped before reading", "answers dropped while reading", "superseded",
                "ids received again and skipped", "leaves", "410 " + QUIET, "410 " + BUSY, "resumes")) {
            assertTrue(seen.getOrDefault(fault, 0) > 0, "no '" + fault + "' happened: " + all);
        }
    }

    @Test
    @Order(6)
    void whenEveryoneLeavesNoClientAndNoParkedPollRemains() throws InterruptedException {
        for (Page page : pages) {
            if (page.clientId != null) {
                assertEquals(204, client.leave(page.clientId).status());
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((hub.stats().clients() > 0 || hub.stats().parkedPolls() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, hub.stats().clients(), "seed " + SEED);
        assertEquals(0, hub.stats().parkedPolls(), "seed " + SEED);
        assertEquals(0, hub.stats().queuedEvents(), "seed " + SEED);
    }
}
