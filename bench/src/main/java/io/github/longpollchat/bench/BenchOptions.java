package io.github.longpollchat.bench;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Everything a run is told, as {@code --kebab-case=value} flags over the scenario's defaults.
 * Public fields so that the coordinator can hand the same options to its worker processes as
 * JSON. {@link #usage()} lists them.
 */
public final class BenchOptions {
    /**
     * {@code chat} (this server's protocol), {@code nchan} (Nchan's long-poll protocol) or
     * {@code cometd} (Bayeux long polling).
     */
    public String target = "chat";
    /** The name the run is reported under ("target" in the JSON line); the protocol's by default. */
    public String serverName = "";
    /**
     * The server's base URL; load traffic goes to loopback only. Several, comma-separated (nodes of
     * one chat, same path): each tab sends each request to the next of them in turn, as a
     * round-robin balancer without sticky sessions would (chat only).
     */
    public String url = "http://127.0.0.1:8080/";
    /** {@code fanout} (N subscribers, one room), {@code rooms} (rooms of room-size), {@code idle} (N parked for idle-seconds). */
    public String scenario = "fanout";
    /** Simulated browser tabs, each long-polling over its own connection; senders are among them. */
    public int clients = 1000;
    /** Tabs per room; 0 puts them all in one room. */
    public int roomSize;
    /** Tabs that also send (each on a second connection); in {@code rooms} one per room whatever this says. */
    public int senders = 4;
    /** Messages to send in the measured phase; 0 means one per room. */
    public int messages = 200;
    /** Messages per second, all senders together. */
    public double rate = 20;
    /** Bytes of each message text, which starts with its index and send time. */
    public int textBytes = 50;
    /** Joins per wave; after each wave every member acknowledges the join events (chat). */
    public int wave = 500;
    /** Parallel requests per process while joining and acknowledging. */
    public int inFlight = 256;
    /** The {@code timeout} of each long poll, seconds. */
    public int pollTimeout = 30;
    /** Seconds of messages, at the same rate, sent and delivered before the measured phase (JIT warm-up); not counted. */
    public double warmupSeconds = 5;
    /** idle: seconds the tabs stay parked before the final send. */
    public int idleSeconds = 60;
    /** Seconds to wait, after the last send, for deliveries still on their way. */
    public int drainSeconds = 30;
    /** Local addresses 127.0.0.2 … 127.0.0.(1+sources) that connections are spread over. */
    public int sources = 4;
    /** Tabs per worker process at most; above it the tabs go to worker processes (a process may open 20,000 files). */
    public int perProcess = 8000;
    /** Heap of each worker process, MB. */
    public int workerHeapMb = 512;
    /**
     * The server's pid, for its CPU and memory from /proc; its child processes (nginx workers)
     * count too. Comma-separated for several nodes, whose figures are summed. Empty: none.
     */
    public String serverPid = "";
    /** The pid of the Redis the nodes share, for its CPU from /proc, reported beside theirs. 0: none. */
    public long redisPid;
    /** The port of that Redis on 127.0.0.1, for its command counts ({@code INFO commandstats}). 0: none. */
    public int redisPort;
    /** Measure the server's live heap after a full GC with jcmd (a JVM server only): idle does by default. */
    public boolean heap;
    /** Starts every room (channel) name, so that runs against one server never meet; random by default. */
    public String tag = Long.toString(System.nanoTime() % 1_679_616L + 1_679_616L, 36).substring(1);
    /** A label for the JSON line, e.g. "fanout-1k". */
    public String label = "";
    /** Append the JSON line to this file too. */
    public String jsonOut = "";
    /** Print progress to stderr. */
    public boolean verbose = true;

    /** Scenario defaults first, then the flags over them. */
    public static BenchOptions parse(String... args) {
        BenchOptions options = new BenchOptions();
        for (String arg : args) {
            if (arg.startsWith("--scenario=")) {
                options.scenario = arg.substring("--scenario=".length());
            }
        }
        options.applyScenarioDefaults();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            String name = arg.substring(2, arg.indexOf('='));
            options.set(name, arg.substring(arg.indexOf('=') + 1));
        }
        options.check();
        return options;
    }

    private void applyScenarioDefaults() {
        switch (scenario) {
            case "fanout" -> {
            }
            case "rooms" -> {
                // CometD's documented benchmark: 1,000 clients in 10 rooms of 100, 919 messages/s, 50-byte texts.
                clients = 1000;
                roomSize = 100;
                rate = 919;
                messages = 9190;
            }
            case "idle" -> {
                clients = 19000;
                messages = 0;
                rate = 100;
                heap = true;
                senders = 1;
                warmupSeconds = 0;
            }
            default -> throw new IllegalArgumentException("unknown scenario: " + scenario);
        }
    }

    private void set(String flag, String value) {
        String fieldName = camel(flag);
        try {
            Field field = BenchOptions.class.getField(fieldName);
            Class<?> type = field.getType();
            if (type == int.class) {
                field.setInt(this, Integer.parseInt(value));
            } else if (type == long.class) {
                field.setLong(this, Long.parseLong(value));
            } else if (type == double.class) {
                field.setDouble(this, Double.parseDouble(value));
            } else if (type == boolean.class) {
                field.setBoolean(this, Boolean.parseBoolean(value));
            } else {
                field.set(this, value);
            }
        } catch (NoSuchFieldException e) {
            throw new IllegalArgumentException("unknown flag --" + flag);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + ": not a number: " + value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private void check() {
        if (!List.of("chat", "nchan", "cometd").contains(target)) {
            throw new IllegalArgumentException("--target must be chat, nchan or cometd");
        }
        if (clients < 1 || senders < 1 || rate <= 0 || wave < 1 || sources < 1 || sources > 250 || inFlight < 1) {
            throw new IllegalArgumentException("--clients, --senders, --rate, --wave, --in-flight must be positive; --sources 1-250");
        }
        if (textBytes < 40) {
            throw new IllegalArgumentException("--text-bytes: at least 40 (the text carries its index and send time)");
        }
        for (URI node : urls()) {
            String host = node.getHost();
            if (host == null || !(host.startsWith("127.") || host.equals("localhost"))) {
                throw new IllegalArgumentException("--url: load goes to loopback (127.0.0.0/8) only");
            }
            if (!pathOf(node).equals(basePath())) {
                throw new IllegalArgumentException("--url: the nodes of one chat share one path");
            }
        }
        if (urls().size() > 1 && !target.equals("chat")) {
            throw new IllegalArgumentException("--url: several nodes for the chat target only (sessions elsewhere live in one node)");
        }
        if (!serverPid.matches("(\\d+(,\\d+)*)?")) {
            throw new IllegalArgumentException("--server-pid: pids separated by commas");
        }
        if (!tag.matches("[A-Za-z0-9_-]{0,16}")) {
            throw new IllegalArgumentException("--tag: up to 16 of A-Z a-z 0-9 _ -");
        }
        if (scenario.equals("rooms") && roomSize == 0) {
            throw new IllegalArgumentException("--room-size: rooms needs a room size");
        }
    }

    static String camel(String kebab) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    static String kebab(String camel) {
        return camel.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    /** One line per flag, with its default for the fanout scenario. */
    public static String usage() {
        BenchOptions defaults = new BenchOptions();
        StringBuilder out = new StringBuilder("usage: LoadGenerator [--flag=value ...]\n");
        for (Field field : BenchOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            try {
                out.append(String.format("  --%-16s default %s%n", kebab(field.getName()), field.get(defaults)));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return out.toString();
    }

    // ---- derived figures, the same in every process ----

    int roomCount() {
        int size = effectiveRoomSize();
        return (clients + size - 1) / size;
    }

    int effectiveRoomSize() {
        return roomSize <= 0 ? clients : Math.min(roomSize, clients);
    }

    int roomOf(int client) {
        return client / effectiveRoomSize();
    }

    int membersOf(int room) {
        int size = effectiveRoomSize();
        return Math.min(size, clients - room * size);
    }

    int sendersPerRoom() {
        if (roomCount() > 1) {
            return 1;
        }
        return Math.min(senders, clients);
    }

    /** The sending tabs: the first of each room (or the first {@code senders} of the one room). */
    List<Integer> senderIndexes() {
        List<Integer> indexes = new ArrayList<>();
        for (int room = 0; room < roomCount(); room++) {
            for (int k = 0; k < Math.min(sendersPerRoom(), membersOf(room)); k++) {
                indexes.add(room * effectiveRoomSize() + k);
            }
        }
        return indexes;
    }

    boolean isSender(int client) {
        int inRoom = client - roomOf(client) * effectiveRoomSize();
        return inRoom < sendersPerRoom();
    }

    int messageCount() {
        return messages > 0 ? messages : roomCount();
    }

    /** Message {@code j} goes to room {@code j % rooms}, through that room's senders in turn. */
    int roomOfMessage(int message) {
        return message % roomCount();
    }

    int senderOfMessage(int message) {
        int room = roomOfMessage(message);
        int perRoom = Math.min(sendersPerRoom(), membersOf(room));
        return room * effectiveRoomSize() + (message / roomCount()) % perRoom;
    }

    /** Which process holds a tab: with workers, senders stay in the coordinator (part 0). */
    int partOf(int client, int parts) {
        if (parts == 1 || isSender(client)) {
            return 0;
        }
        return 1 + client % (parts - 1);
    }

    /** Tabs one process holds at most: {@link #perProcess}, fewer where each tab keeps a connection to each of several nodes. */
    int tabsPerProcess() {
        return Math.max(1, Math.min(perProcess, 16000 / urls().size()));
    }

    /** Worker processes needed beyond the coordinator. */
    int workerProcesses() {
        int most = tabsPerProcess();
        if (clients <= most) {
            return 0;
        }
        int others = clients - senderIndexes().size();
        return (others + most - 1) / most;
    }

    /** The room's name (chat) or channel (nchan; cometd's is {@code /chat/<name>}): {@code <tag>r<room>}. */
    String roomName(int room) {
        return tag + "r" + room;
    }

    /** The base URL of each node. */
    List<URI> urls() {
        List<URI> urls = new ArrayList<>();
        for (String one : url.split(",")) {
            urls.add(URI.create(one.trim()));
        }
        return urls;
    }

    List<InetSocketAddress> remotes() {
        return urls().stream().map(uri -> new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort())).toList();
    }

    /** The path prefix of the base URL, ending with '/'. */
    String basePath() {
        return pathOf(urls().get(0));
    }

    private static String pathOf(URI uri) {
        String path = uri.getRawPath();
        if (path == null || path.isEmpty()) {
            return "/";
        }
        return path.endsWith("/") ? path : path + "/";
    }

    /** The first node's: a balancer shows the nodes one host. */
    String hostHeader() {
        URI uri = urls().get(0);
        return uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    /** The pids of {@link #serverPid}. */
    List<Long> serverPids() {
        return serverPid.isEmpty() ? List.of() : Arrays.stream(serverPid.split(",")).map(Long::valueOf).toList();
    }

    InetSocketAddress local(int client) {
        return new InetSocketAddress("127.0.0." + (2 + client % sources), 0);
    }
}
