package io.github.longpollchat.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The tabs of one process, on one {@link HttpEngine}, and what they have counted: deliveries,
 * duplicates, latency, errors by kind. The coordinator drives every process's swarm through the
 * same commands ({@link #handle}), in-process or over a worker's stdin/stdout.
 *
 * <p>A message's text is {@code m<number> <nanoTime at send> xxx…}: {@code System.nanoTime()} is
 * the machine's monotonic clock on Linux, the same in every process, so a receiver in another
 * process can tell the latency. JIT warm-up messages ({@code v…}) and the broadcast that proves a
 * room's tabs parked ({@code w<room> …}) are not counted.
 *
 * <p>Threading: the tabs and counters belong to the engine thread; commands hop onto it.
 */
abstract class Swarm implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonFactory FACTORY = JSON.getFactory();
    static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a request other than a poll may take. */
    static final long REQUEST_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** How much longer than its timeout a poll may take. */
    static final long POLL_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(15);
    static final int MAX_FAILURES = 20;

    final BenchOptions o;
    final HttpEngine engine;
    final List<Tab> tabs = new ArrayList<>();
    final Map<Integer, Tab> byIndex = new HashMap<>();
    final String base;
    final String host;
    /** How long a poll may take: its timeout, and 15 s. */
    final long pollNanos;

    // ---- counters (engine thread) ----
    long unique;
    long duplicates;
    long gaps;
    long redelivered;
    long warm;
    long responses;
    long lastReceipt;
    final Histogram latency = new Histogram();
    final Histogram joinLatency = new Histogram();
    final Histogram sendLag = new Histogram();
    final Map<String, Long> errors = new TreeMap<>();
    final long[] accepted;
    long firstSend;
    long lastSend;

    static Swarm create(BenchOptions o, int part, int parts) {
        return switch (o.target) {
            case "nchan" -> new NchanSwarm(o, part, parts);
            case "cometd" -> new CometDSwarm(o, part, parts);
            default -> new ChatSwarm(o, part, parts);
        };
    }

    Swarm(BenchOptions o, int part, int parts) {
        this.o = o;
        this.engine = new HttpEngine("load-" + part);
        this.base = o.basePath();
        this.host = o.hostHeader();
        this.pollNanos = TimeUnit.SECONDS.toNanos(o.pollTimeout) + POLL_MARGIN_NANOS;
        this.accepted = new long[o.roomCount()];
        var nodes = o.remotes();
        onEngine(() -> {
            for (int i = 0; i < o.clients; i++) {
                if (o.partOf(i, parts) == part) {
                    Lane conn = new Lane(engine, o.local(i), nodes);
                    Lane sendConn = o.isSender(i) ? new Lane(engine, o.local(i + 1), nodes) : null;
                    Tab tab = new Tab(i, o.roomOf(i), conn, sendConn);
                    tabs.add(tab);
                    byIndex.put(i, tab);
                }
            }
            return null;
        }).join();
    }

    // ---- the protocol, per target ----

    /**
     * Joins (chat), subscribes (nchan), or handshakes and subscribes (cometd); {@code done} runs
     * once the tab is in.
     */
    abstract void join(Tab tab, Runnable done);

    /** Acknowledges everything queued for the tab without downloading it (chat); the others have nothing to. */
    void ack(Tab tab, Runnable done) {
        done.run();
    }

    /** Starts the tab's long-poll loop (chat); nchan and cometd poll from their join on. */
    abstract void park(Tab tab);

    /** Sends one text to the tab's room through its send connection; {@code done} gets whether it was accepted. */
    abstract void publish(Tab sender, String text, java.util.function.Consumer<Boolean> done);

    /** nchan: subscribers of the room's channel as the server counts them, or -1. */
    void subscribers(int room, java.util.function.LongConsumer done) {
        done.accept(-1);
    }

    // ---- commands ----

    JsonNode handle(JsonNode command) {
        String name = command.get("cmd").asText();
        ObjectNode reply = JSON.createObjectNode().put("ok", true);
        switch (name) {
            case "join" -> {
                int from = command.get("from").asInt();
                int to = command.get("to").asInt();
                bounded(() -> tabs.stream().filter(t -> t.index >= from && t.index < to).toList(),
                        Math.min(o.inFlight, 64), (tab, done) -> {
                            tab.joined = true;
                            join(tab, done);
                        }).join();
            }
            case "ack" -> {
                // A probe acknowledges only the earliest joined tab, whose queue is the longest, and
                // tells how many events it had: whether the others need acknowledging at all.
                boolean probe = command.path("probe").asBoolean();
                long[] dropped = new long[1];
                bounded(() -> tabs.stream().filter(t -> t.joined && !t.dead).limit(probe ? 1 : Long.MAX_VALUE).toList(),
                        o.inFlight, (tab, done) -> {
                            long before = tab.cursor;
                            ack(tab, () -> {
                                dropped[0] += Math.max(0, tab.cursor - before);
                                done.run();
                            });
                        }).join();
                reply.put("dropped", dropped[0]);
            }
            case "park" -> onEngine(() -> {
                tabs.stream().filter(t -> t.joined && !t.dead).forEach(this::park);
                return null;
            }).join();
            case "ready" -> sendPlan(READY, System.nanoTime(), 0).join();
            case "warmup" -> sendPlan(WARMUP, command.get("at").asLong(), command.get("count").asInt()).join();
            case "send" -> {
                sendPlan(MEASURED, command.get("at").asLong(), o.messageCount()).join();
                onEngine(() -> {
                    reply.put("firstSend", firstSend).put("lastSend", lastSend);
                    var rooms = reply.putArray("accepted");
                    for (long a : accepted) {
                        rooms.add(a);
                    }
                    return null;
                }).join();
            }
            case "subscribers" -> {
                // One room after the other: the channel info goes over one connection.
                CompletableFuture<Long> total = new CompletableFuture<>();
                engine.execute(() -> countSubscribers(0, 0, total));
                reply.put("subscribers", total.join());
            }
            case "status" -> onEngine(() -> {
                reply.put("warm", warm).put("unique", unique).put("lastReceipt", lastReceipt).put("responses", responses)
                        .put("dead", tabs.stream().filter(t -> t.dead).count());
                return null;
            }).join();
            case "report" -> onEngine(() -> {
                report(reply);
                return null;
            }).join();
            default -> throw new IllegalArgumentException("unknown command " + name);
        }
        return reply;
    }

    private void countSubscribers(int room, long sum, CompletableFuture<Long> total) {
        if (room == o.roomCount()) {
            total.complete(sum);
            return;
        }
        subscribers(room, n -> {
            if (n < 0) {
                total.complete(-1L);
            } else {
                countSubscribers(room + 1, sum + n, total);
            }
        });
    }

    private void report(ObjectNode reply) {
        reply.put("tabs", tabs.size()).put("unique", unique).put("duplicates", duplicates).put("gaps", gaps)
                .put("redelivered", redelivered).put("warm", warm).put("responses", responses)
                .put("lastReceipt", lastReceipt).put("dead", tabs.stream().filter(t -> t.dead).count());
        int reconnects = 0;
        for (Tab tab : tabs) {
            reconnects += tab.conn.reconnects() + (tab.sendConn == null ? 0 : tab.sendConn.reconnects());
        }
        reply.put("reconnects", reconnects);
        reply.set("latency", latency.toJson());
        reply.set("joinLatency", joinLatency.toJson());
        reply.set("sendLag", sendLag.toJson());
        ObjectNode errorCounts = reply.putObject("errors");
        errors.forEach(errorCounts::put);
    }

    <T> CompletableFuture<T> onEngine(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        engine.execute(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * Runs {@code op} on each tab, at most {@code limit} at a time, on the engine thread; done when
     * every op has called its {@code done}.
     */
    CompletableFuture<Void> bounded(Supplier<List<Tab>> select, int limit, BiConsumer<Tab, Runnable> op) {
        CompletableFuture<Void> all = new CompletableFuture<>();
        engine.execute(() -> new Object() {
            final List<Tab> list = select.get();
            int started;
            int finished;
            boolean launching;

            void launch() {
                if (launching) {
                    return;
                }
                launching = true;
                while (started < list.size() && started - finished < limit) {
                    Tab tab = list.get(started++);
                    op.accept(tab, () -> {
                        finished++;
                        if (finished == list.size()) {
                            all.complete(null);
                        } else {
                            launch();
                        }
                    });
                }
                launching = false;
                if (list.isEmpty()) {
                    all.complete(null);
                }
            }
        }.launch());
        return all;
    }

    // ---- sending ----

    /** What a send is: a message of the measured phase, a JIT warm-up message, or the broadcast that proves a room's tabs are parked. */
    static final int MEASURED = 0;
    static final int WARMUP = 1;
    static final int READY = 2;

    /**
     * Sends, from this process's senders, either one {@link #READY} broadcast per room, or
     * {@code count} messages ({@link #MEASURED} or {@link #WARMUP}) at the set rate starting at
     * {@code at} (nanoTime); done when every send has been answered.
     */
    private CompletableFuture<Void> sendPlan(int kind, long at, int count) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        engine.execute(() -> {
            List<long[]> plan = new ArrayList<>();
            if (kind == READY) {
                for (int room = 0; room < o.roomCount(); room++) {
                    int sender = room * o.effectiveRoomSize();
                    if (byIndex.containsKey(sender)) {
                        plan.add(new long[] {kind, room, sender, at});
                    }
                }
            } else {
                double interval = 1e9 / o.rate;
                for (int j = 0; j < count; j++) {
                    int sender = o.senderOfMessage(j);
                    if (byIndex.containsKey(sender)) {
                        plan.add(new long[] {kind, j, sender, at + (long) (j * interval)});
                    }
                }
            }
            if (plan.isEmpty()) {
                done.complete(null);
                return;
            }
            int[] left = {plan.size()};
            Runnable oneDone = () -> {
                if (--left[0] == 0) {
                    done.complete(null);
                }
            };
            for (long[] item : plan) {
                engine.at(item[3], () -> {
                    Tab sender = byIndex.get((int) item[2]);
                    sender.outbox.add(item);
                    pump(sender, oneDone);
                });
            }
        });
        return done;
    }

    /** Writes the sender's next queued send once its send connection is free. */
    private void pump(Tab sender, Runnable oneDone) {
        if (sender.sendConn.busy() || sender.outbox.isEmpty()) {
            return;
        }
        long[] next = sender.outbox.poll();
        int kind = (int) next[0];
        int number = (int) next[1];
        long now = System.nanoTime();
        if (kind == MEASURED) {
            sendLag.record(now - next[3]);
            if (firstSend == 0) {
                firstSend = now;
            }
            lastSend = now;
        }
        publish(sender, text(kind, number, now), ok -> {
            if (ok && kind == MEASURED) {
                accepted[o.roomOfMessage(number)]++;
            }
            oneDone.run();
            pump(sender, oneDone);
        });
    }

    /** {@code m<number> <nanoTime> xxx…} (measured), {@code v…} (warm-up), {@code w<room> …} (ready). */
    private String text(int kind, int number, long nanos) {
        StringBuilder text = new StringBuilder(o.textBytes);
        text.append(kind == MEASURED ? 'm' : kind == WARMUP ? 'v' : 'w').append(number).append(' ').append(nanos).append(' ');
        while (text.length() < o.textBytes) {
            text.append('x');
        }
        return text.toString();
    }

    // ---- receiving ----

    /** A message text arrived at a tab: count it once, and its latency. */
    void received(Tab tab, String text, long now) {
        int space = text.indexOf(' ');
        int second = text.indexOf(' ', space + 1);
        if (text.isEmpty() || space < 2 || second < 0) {
            error("received: unknown text");
            return;
        }
        char kind = text.charAt(0);
        if (kind == 'w' && !tab.warm) {
            tab.warm = true;
            warm++;
        }
        if (kind != 'm') {
            return;
        }
        int number = Integer.parseInt(text.substring(1, space));
        if (tab.seen.get(number)) {
            duplicates++;
            return;
        }
        tab.seen.set(number);
        unique++;
        latency.record(now - Long.parseLong(text.substring(space + 1, second)));
        lastReceipt = now;
    }

    void error(String kind) {
        errors.merge(kind, 1L, Long::sum);
    }

    /** A failed poll: try again in a second, unless the tab keeps failing. */
    void retryLater(Tab tab, Runnable poll) {
        if (++tab.failures > MAX_FAILURES) {
            tab.dead = true;
            error("poll: gave up after " + MAX_FAILURES + " failures");
            return;
        }
        engine.at(System.nanoTime() + RETRY_NANOS, poll);
    }

    // ---- requests ----

    byte[] get(String pathAndQuery, String... headers) {
        return head("GET", pathAndQuery, headers).append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    byte[] post(String path, String contentType, String body, String... headers) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        byte[] head = head("POST", path, headers).append("Content-Type: ").append(contentType)
                .append("\r\nContent-Length: ").append(content.length).append("\r\n\r\n").toString()
                .getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + content.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(content, 0, request, head.length, content.length);
        return request;
    }

    /** The request line, {@code Host} and {@code headers}, each line ended. */
    private StringBuilder head(String method, String path, String[] headers) {
        StringBuilder head = new StringBuilder(160).append(method).append(' ').append(base).append(path)
                .append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        return head;
    }

    static Conn.Handler handler(java.util.function.Consumer<HttpResponse> ok, java.util.function.Consumer<String> failed) {
        return new Conn.Handler() {
            @Override
            public void onResponse(HttpResponse response) {
                ok.accept(response);
            }

            @Override
            public void onFailure(String kind) {
                failed.accept(kind);
            }
        };
    }

    @Override
    public void close() {
        engine.close();
    }
}
