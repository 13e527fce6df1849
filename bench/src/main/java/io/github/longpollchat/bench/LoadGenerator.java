package io.github.longpollchat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The load generator, in the spirit of CometD's benchmark client: N simulated browser tabs, each
 * long-polling over its own keep-alive connection from one of several loopback source addresses,
 * spread over worker processes when N is large; they join (in waves, acknowledging the join
 * events), park, then senders send M messages at R per second, each text carrying its send time.
 *
 * <p>It reports the time to join and park all N, deliveries expected, received, missing and
 * duplicated, latency from send to receipt, deliveries per second, errors by kind, the server's
 * CPU and memory from {@code /proc} (given its pid) and the generator's own CPU, then one JSON line
 * with every figure. Several nodes of one chat ({@code --url=A,B}, {@code --server-pid=P,Q}) get
 * each request in turn, and their figures summed; the Redis they share adds its CPU
 * ({@code --redis-pid}) and its calls per command per send and per poll ({@code --redis-port}). {@code --help} lists the flags; bench/run.sh runs the scenarios against this
 * server, Nchan, CometD and the Jetty floors.
 *
 * <pre>java -cp … io.github.longpollchat.bench.LoadGenerator --scenario=fanout --clients=1000 --url=http://127.0.0.1:8080/ --server-pid=1234</pre>
 */
public final class LoadGenerator {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** Events a tab may have queued during the join phase: the protocol's default mailbox (the bench's servers hold more). */
    private static final long ACK_BUDGET = 1000;

    private final BenchOptions o;
    private final PrintStream log;
    private final List<Part> parts = new ArrayList<>();
    private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "load-call");
        thread.setDaemon(true);
        return thread;
    });
    private List<Long> serverPids = List.of();

    private LoadGenerator(BenchOptions options) {
        this.o = options;
        this.log = System.err;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(BenchOptions.usage());
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("LoadGenerator: " + e.getMessage());
            System.exit(2);
            return;
        }
        Result result = run(options);
        System.out.print(result.table());
        System.out.println(result.jsonLine());
        System.out.flush();
        System.exit(result.missing() == 0 && result.duplicated() == 0 ? 0 : 1);
    }

    /** Runs one scenario to the end and returns its figures. */
    public static Result run(BenchOptions options) throws Exception {
        LoadGenerator generator = new LoadGenerator(options);
        try {
            Result result = generator.runAll();
            if (!options.jsonOut.isEmpty()) {
                Path out = Path.of(options.jsonOut);
                if (out.getParent() != null) {
                    Files.createDirectories(out.getParent());
                }
                Files.writeString(out, result.jsonLine() + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            return result;
        } finally {
            generator.close();
        }
    }

    private void progress(String format, Object... args) {
        if (o.verbose) {
            log.printf(Locale.ROOT, "[load %s] %s%n", o.target, String.format(Locale.ROOT, format, args));
        }
    }

    private Result runAll() throws Exception {
        ObjectNode r = Swarm.JSON.createObjectNode();
        r.put("label", o.label).put("target", o.serverName.isEmpty() ? o.target : o.serverName)
                .put("protocol", o.target).put("scenario", o.scenario).put("clients", o.clients)
                .put("rooms", o.roomCount()).put("roomSize", o.effectiveRoomSize())
                .put("senders", o.senderIndexes().size()).put("messages", o.messageCount()).put("rate", o.rate)
                .put("textBytes", o.textBytes).put("wave", o.wave).put("sources", o.sources);

        List<Long> pids = new ArrayList<>();
        for (long pid : o.serverPids()) {
            pids.addAll(ProcStat.withChildren(pid));
        }
        serverPids = pids;
        // The live heap of a JVM server: this one, or CometD (a floor speaks nchan, and is not measured).
        boolean jvm = !o.target.equals("nchan");
        long heapBaseline = o.heap && !serverPids.isEmpty() && jvm ? liveHeap() : -1;
        long rssBaseline = serverRss();

        int workers = o.workerProcesses();
        int partCount = workers + 1;
        progress("%d tabs in %d room(s), %d process(es)", o.clients, o.roomCount(), partCount);
        parts.add(new Part.Local(Swarm.create(o, 0, partCount)));
        List<CompletableFuture<Part>> starting = new ArrayList<>();
        for (int p = 1; p <= workers; p++) {
            int part = p;
            starting.add(CompletableFuture.supplyAsync(() -> new Part.Remote(o, part, partCount), calls));
        }
        for (CompletableFuture<Part> part : starting) {
            parts.add(part.join());
        }
        r.put("generatorProcesses", partCount);

        // ---- join and park ----
        long cpu0 = serverCpu();
        long redis0 = redisCpu();
        long gen0 = generatorCpu();
        long start = System.nanoTime();
        int waves = (o.clients + o.wave - 1) / o.wave;
        long unacknowledged = 0;
        for (int w = 0; w < waves; w++) {
            int from = w * o.wave;
            int to = Math.min(o.clients, from + o.wave);
            all(command("join").put("from", from).put("to", to));
            if (o.target.equals("chat")) {
                // Everyone acknowledges only when the next wave's joins could overflow a mailbox of
                // the protocol's default size; in a big room no join is an event, so none need to.
                unacknowledged += all(command("ack").put("probe", true)).stream()
                        .mapToLong(reply -> reply.path("dropped").asLong()).max().orElse(0);
                if (unacknowledged + o.wave >= ACK_BUDGET) {
                    all(command("ack"));
                    unacknowledged = 0;
                }
            }
            if (waves > 4 && (w + 1) % Math.max(1, waves / 4) == 0) {
                progress("joined %d of %d", to, o.clients);
            }
        }
        if (o.target.equals("nchan")) {
            waitForSubscribers();
        } else {
            all(command("park"));
        }
        long joined = System.nanoTime();
        // Parked = a broadcast reached them. Nchan's first poll waits for the next message and its
        // subscriber count lags behind, so for Nchan the broadcast is repeated until all have it.
        long warmDeadline = System.nanoTime() + Math.max(60, o.clients / 100) * SECOND;
        long nextReady = System.nanoTime();
        long warm = 0;
        long dead = 0;
        while (System.nanoTime() < warmDeadline) {
            if (System.nanoTime() - nextReady >= 0) {
                parts.get(0).call(command("ready"));
                nextReady = System.nanoTime() + (o.target.equals("nchan") ? SECOND : Long.MAX_VALUE / 2);
            }
            List<JsonNode> status = all(command("status"));
            warm = sum(status, "warm");
            dead = sum(status, "dead");
            if (warm + dead >= o.clients) {
                break;
            }
            Thread.sleep(50);
        }
        long ready = System.nanoTime();
        r.put("joinSeconds", seconds(joined - start)).put("readySeconds", seconds(ready - start))
                .put("ready", warm);
        progress("%d of %d tabs parked and reached in %.2f s (joins done in %.2f s)", warm, o.clients,
                seconds(ready - start), seconds(joined - start));
        r.put("serverCpuJoinSeconds", seconds(serverCpu() - cpu0))
                .put("generatorCpuJoinSeconds", seconds(generatorCpu() - gen0));
        if (o.redisPid > 0) {
            r.put("redisCpuJoinSeconds", seconds(redisCpu() - redis0));
        }
        settle();
        int warmupCount = (int) Math.round(o.warmupSeconds * o.rate);
        if (warmupCount > 0) {
            progress("warming up: %d message(s) at %.0f/s", warmupCount, o.rate);
            parts.get(0).call(command("warmup").put("at", System.nanoTime()).put("count", warmupCount));
            settle();
        }

        // ---- idle: memory held by the parked polls ----
        if (o.scenario.equals("idle")) {
            long heapParked = heapBaseline >= 0 ? liveHeap() : -1;
            long rssParked = serverRss();
            r.put("parked", warm);
            putMemory(r, "heapBaselineMB", heapBaseline);
            putMemory(r, "heapParkedMB", heapParked);
            putMemory(r, "rssBaselineMB", rssBaseline);
            putMemory(r, "rssParkedMB", rssParked);
            if (heapBaseline > 0 && heapParked > 0 && warm > 0) {
                r.put("heapPerPollKB", round((heapParked - heapBaseline) / 1024.0 / warm, 2));
            }
            if (rssBaseline > 0 && rssParked > 0 && warm > 0) {
                r.put("rssPerPollKB", round((rssParked - rssBaseline) / 1024.0 / warm, 2));
            }
            progress("holding %d parked polls for %d s", warm, o.idleSeconds);
            long holdUntil = System.nanoTime() + o.idleSeconds * SECOND;
            while (System.nanoTime() < holdUntil) {
                Thread.sleep(Math.min(1000, Math.max(1, (holdUntil - System.nanoTime()) / 1_000_000)));
            }
        }

        // ---- the measured phase ----
        long cpu1 = serverCpu();
        long gen1 = generatorCpu();
        long redis1 = redisCpu();
        Map<String, Long> calls1 = redisCalls();
        long polls1 = sum(all(command("status")), "responses");
        long at = System.nanoTime() + SECOND / 10;
        progress("sending %d message(s) at %.0f/s", o.messageCount(), o.rate);
        JsonNode sent = parts.get(0).call(command("send").put("at", at));
        long expected = 0;
        long acceptedCount = 0;
        for (int room = 0; room < o.roomCount(); room++) {
            long accepted = sent.get("accepted").get(room).asLong();
            acceptedCount += accepted;
            expected += accepted * o.membersOf(room);
        }
        long sendsDone = System.nanoTime();
        long received = 0;
        long drainDeadline = sendsDone + o.drainSeconds * SECOND;
        while (System.nanoTime() < drainDeadline) {
            received = sum(all(command("status")), "unique");
            if (received >= expected) {
                break;
            }
            Thread.sleep(20);
        }
        long cpu2 = serverCpu();
        long gen2 = generatorCpu();
        long redis2 = redisCpu();
        Map<String, Long> calls2 = redisCalls();

        // ---- figures ----
        List<JsonNode> reports = all(command("report"));
        Histogram latency = new Histogram();
        Histogram joinLatency = new Histogram();
        Histogram sendLag = new Histogram();
        Map<String, Long> errors = new TreeMap<>();
        long lastReceipt = 0;
        for (JsonNode report : reports) {
            latency.add(Histogram.fromJson(report.get("latency")));
            joinLatency.add(Histogram.fromJson(report.get("joinLatency")));
            sendLag.add(Histogram.fromJson(report.get("sendLag")));
            report.get("errors").fields().forEachRemaining(e -> errors.merge(e.getKey(), e.getValue().asLong(), Long::sum));
            lastReceipt = Math.max(lastReceipt, report.get("lastReceipt").asLong());
        }
        received = sum(reports, "unique");
        long duplicated = sum(reports, "duplicates");
        long firstSend = sent.get("firstSend").asLong();
        double deliverySeconds = lastReceipt > firstSend ? seconds(lastReceipt - firstSend) : 0;
        r.put("sent", acceptedCount).put("expected", expected).put("received", received)
                .put("missing", Math.max(0, expected - received)).put("duplicated", duplicated)
                .put("gaps", sum(reports, "gaps")).put("redelivered", sum(reports, "redelivered"))
                .put("deadTabs", sum(reports, "dead")).put("reconnects", sum(reports, "reconnects"))
                .put("pollResponses", sum(reports, "responses"));
        ObjectNode ms = r.putObject("latencyMs");
        ms.put("p50", millis(latency.percentile(50))).put("p90", millis(latency.percentile(90)))
                .put("p99", millis(latency.percentile(99))).put("max", millis(latency.max()))
                .put("mean", round(latency.mean() / 1e6, 3));
        r.putObject("joinLatencyMs").put("p50", millis(joinLatency.percentile(50)))
                .put("p99", millis(joinLatency.percentile(99))).put("max", millis(joinLatency.max()));
        r.putObject("sendLagMs").put("p99", millis(sendLag.percentile(99))).put("max", millis(sendLag.max()));
        r.put("sendSeconds", round(seconds(sent.get("lastSend").asLong() - firstSend), 3));
        r.put("deliverySeconds", round(deliverySeconds, 3));
        r.put("deliveriesPerSecond", deliverySeconds > 0 ? Math.round(received / deliverySeconds) : 0);
        ObjectNode errorCounts = r.putObject("errors");
        errors.forEach(errorCounts::put);
        r.put("errorCount", errors.values().stream().mapToLong(Long::longValue).sum());
        if (!serverPids.isEmpty()) {
            double serverSeconds = seconds(cpu2 - cpu1);
            r.put("serverCpuSeconds", round(serverSeconds, 3));
            r.put("serverCpuMicrosPerDelivery", received > 0 ? round(serverSeconds * 1e6 / received, 3) : 0);
            putMemory(r, "serverRssMB", serverRss());
            r.put("serverProcesses", serverPids.size());
            // The nodes' and their Redis's together: what a delivery costs the whole deployment.
            double redisSeconds = o.redisPid > 0 ? seconds(redis2 - redis1) : 0;
            r.put("cpuMicrosPerDelivery", received > 0 ? round((serverSeconds + redisSeconds) * 1e6 / received, 3) : 0);
        }
        if (o.redisPid > 0) {
            double redisSeconds = seconds(redis2 - redis1);
            r.put("redisCpuSeconds", round(redisSeconds, 3));
            r.put("redisCpuMicrosPerDelivery", received > 0 ? round(redisSeconds * 1e6 / received, 3) : 0);
        }
        if (o.redisPort > 0) {
            putRedisCalls(r, RedisStats.delta(calls1, calls2), acceptedCount, sum(reports, "responses") - polls1, received);
        }
        r.put("generatorCpuSeconds", round(seconds(gen2 - gen1), 3));
        r.put("wallSeconds", round(seconds(System.nanoTime() - start), 3));
        return new Result(r);
    }

    /** Until Nchan counts every subscriber, or its count stops moving for two seconds (it lags, and may stay short). */
    private void waitForSubscribers() throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(30, o.clients / 200) * SECOND;
        long subscribers = -1;
        long changed = System.nanoTime();
        while (System.nanoTime() < deadline && System.nanoTime() - changed < 2 * SECOND) {
            long now = parts.get(0).call(command("subscribers")).get("subscribers").asLong();
            if (now >= o.clients) {
                return;
            }
            if (now != subscribers) {
                subscribers = now;
                changed = System.nanoTime();
            }
            Thread.sleep(100);
        }
    }

    /** After the warm-up reached everyone: let the re-polls land, and the server go quiet. */
    private void settle() throws InterruptedException {
        Thread.sleep(1000);
        if (serverPids.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + 15 * SECOND;
        long before = serverCpu();
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            long now = serverCpu();
            if (now - before <= 20_000_000L) {
                return;
            }
            before = now;
        }
    }

    private ObjectNode command(String name) {
        return Swarm.JSON.createObjectNode().put("cmd", name);
    }

    /** The command to every process at once; their replies in order. */
    private List<JsonNode> all(ObjectNode command) {
        List<CompletableFuture<JsonNode>> replies = new ArrayList<>();
        for (Part part : parts) {
            replies.add(CompletableFuture.supplyAsync(() -> part.call(command), calls));
        }
        return replies.stream().map(CompletableFuture::join).toList();
    }

    private static long sum(List<JsonNode> replies, String field) {
        return replies.stream().mapToLong(reply -> reply.path(field).asLong()).sum();
    }

    /**
     * Redis's calls in the measured phase, per command: how many, and that many per message sent
     * and per poll answered. A command that runs once per send shows 1.0 per send whatever the
     * room's size; one that runs once per poll, 1.0 per poll.
     */
    private static void putRedisCalls(ObjectNode r, Map<String, Long> calls, long sends, long polls, long received) {
        ObjectNode byCommand = r.putObject("redisCalls");
        long total = 0;
        for (Map.Entry<String, Long> call : calls.entrySet()) {
            long n = call.getValue();
            total += n;
            byCommand.putObject(call.getKey()).put("calls", n)
                    .put("perSend", sends > 0 ? round((double) n / sends, 3) : 0)
                    .put("perPoll", polls > 0 ? round((double) n / polls, 3) : 0);
        }
        r.put("redisCallsTotal", total).put("pollsAnswered", polls)
                .put("redisCallsPerDelivery", received > 0 ? round((double) total / received, 3) : 0);
    }

    private long redisCpu() {
        return o.redisPid > 0 ? Math.max(0, ProcStat.cpuNanos(o.redisPid)) : 0;
    }

    private Map<String, Long> redisCalls() {
        return o.redisPort > 0 ? RedisStats.calls(o.redisPort) : Map.of();
    }

    /** The live heap of every server JVM together; -1 if one could not be read. */
    private long liveHeap() {
        long total = 0;
        for (long pid : o.serverPids()) {
            long heap = ProcStat.liveHeapBytes(pid);
            if (heap < 0) {
                return -1;
            }
            total += heap;
        }
        return total;
    }

    private long serverCpu() {
        return serverPids.isEmpty() ? 0 : ProcStat.cpuNanos(serverPids);
    }

    private long serverRss() {
        return serverPids.isEmpty() ? -1 : ProcStat.rssBytes(serverPids);
    }

    private long generatorCpu() {
        long total = 0;
        for (Part part : parts) {
            total += Math.max(0, ProcStat.cpuNanos(part.pid()));
        }
        return total;
    }

    private static void putMemory(ObjectNode r, String field, long bytes) {
        if (bytes >= 0) {
            r.put(field, round(bytes / 1048576.0, 1));
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double millis(long nanos) {
        return round(nanos / 1e6, 3);
    }

    static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private void close() {
        for (Part part : parts) {
            try {
                part.close();
            } catch (RuntimeException e) {
                log.println("closing a load process failed: " + e);
            }
        }
        calls.shutdownNow();
    }

    /** The figures of one run, as the JSON line and as a table for a person. */
    public static final class Result {
        private final ObjectNode json;

        Result(ObjectNode json) {
            this.json = json;
        }

        public ObjectNode json() {
            return json;
        }

        public long missing() {
            return json.get("missing").asLong();
        }

        public long duplicated() {
            return json.get("duplicated").asLong();
        }

        public long expected() {
            return json.get("expected").asLong();
        }

        public long received() {
            return json.get("received").asLong();
        }

        public long errorCount() {
            return json.get("errorCount").asLong();
        }

        public String jsonLine() {
            try {
                return Swarm.JSON.writeValueAsString(json);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public String table() {
            JsonNode j = json;
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "%s %s: %d tabs in %d room(s) of %d, %d sender(s), %d message(s) at %.0f/s, %d-byte texts%n",
                    j.get("target").asText(), j.get("scenario").asText(), j.get("clients").asInt(), j.get("rooms").asInt(),
                    j.get("roomSize").asInt(), j.get("senders").asInt(), j.get("messages").asInt(), j.get("rate").asDouble(),
                    j.get("textBytes").asInt()));
            line(out, "join + park", "%d tabs in %.2f s (join requests done in %.2f s; parked = a broadcast reached them)",
                    j.get("ready").asLong(), j.get("readySeconds").asDouble(), j.get("joinSeconds").asDouble());
            line(out, "deliveries", "expected %d, received %d, missing %d, duplicated %d (gaps %d, re-delivered %d)",
                    j.get("expected").asLong(), j.get("received").asLong(), j.get("missing").asLong(),
                    j.get("duplicated").asLong(), j.get("gaps").asLong(), j.get("redelivered").asLong());
            JsonNode ms = j.get("latencyMs");
            line(out, "latency", "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (send lag p99 %.2f ms)",
                    ms.get("p50").asDouble(), ms.get("p90").asDouble(), ms.get("p99").asDouble(), ms.get("max").asDouble(),
                    j.get("sendLagMs").get("p99").asDouble());
            line(out, "throughput", "%d deliveries/s (%d deliveries in %.2f s)", j.get("deliveriesPerSecond").asLong(),
                    j.get("received").asLong(), j.get("deliverySeconds").asDouble());
            StringBuilder errors = new StringBuilder();
            j.get("errors").fields().forEachRemaining(e -> errors.append(errors.length() == 0 ? "" : ", ")
                    .append(e.getKey()).append(" × ").append(e.getValue().asLong()));
            line(out, "errors", "%s", errors.length() == 0 ? "none" : errors);
            if (j.has("serverCpuSeconds")) {
                line(out, "server", "CPU %.2f s while sending (%.1f µs per delivery), %.2f s while joining; RSS %.0f MB",
                        j.get("serverCpuSeconds").asDouble(), j.get("serverCpuMicrosPerDelivery").asDouble(),
                        j.get("serverCpuJoinSeconds").asDouble(), j.path("serverRssMB").asDouble());
            }
            if (j.has("redisCpuSeconds")) {
                line(out, "redis", "CPU %.2f s while sending (%.1f µs per delivery; %s µs with the nodes'), %.2f s while joining",
                        j.get("redisCpuSeconds").asDouble(), j.get("redisCpuMicrosPerDelivery").asDouble(),
                        j.path("cpuMicrosPerDelivery").asText("?"), j.path("redisCpuJoinSeconds").asDouble());
            }
            if (j.has("redisCalls")) {
                StringBuilder calls = new StringBuilder();
                j.get("redisCalls").fields().forEachRemaining(c -> calls.append(calls.length() == 0 ? "" : ", ")
                        .append(String.format(Locale.ROOT, "%s %.2f/send %.2f/poll", c.getKey(),
                                c.getValue().get("perSend").asDouble(), c.getValue().get("perPoll").asDouble())));
                line(out, "redis calls", "%d in all (%.2f per delivery, %d polls answered): %s",
                        j.get("redisCallsTotal").asLong(), j.get("redisCallsPerDelivery").asDouble(),
                        j.get("pollsAnswered").asLong(), calls.length() == 0 ? "none" : calls);
            }
            line(out, "load generator", "CPU %.2f s while sending, %.2f s while joining, %d process(es)",
                    j.get("generatorCpuSeconds").asDouble(), j.get("generatorCpuJoinSeconds").asDouble(),
                    j.get("generatorProcesses").asInt());
            if (j.has("parked")) {
                line(out, "memory", "%d parked: heap %s → %s MB after GC (%s KB per poll), RSS %s → %s MB (%s KB per poll)",
                        j.get("parked").asLong(), j.path("heapBaselineMB").asText("?"), j.path("heapParkedMB").asText("?"),
                        j.path("heapPerPollKB").asText("?"), j.path("rssBaselineMB").asText("?"),
                        j.path("rssParkedMB").asText("?"), j.path("rssPerPollKB").asText("?"));
            }
            return out.toString();
        }

        private static void line(StringBuilder out, String what, String format, Object... args) {
            out.append(String.format(Locale.ROOT, "  %-15s ", what)).append(String.format(Locale.ROOT, format, args))
                    .append(System.lineSeparator());
        }
    }
}
