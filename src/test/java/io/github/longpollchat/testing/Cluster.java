package io.github.longpollchat.testing;

import io.github.longpollchat.config.Option;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Nodes of one chat, sharing one private {@link RedisServer} of their own, behind one
 * {@link Balancer}: {@code jars} processes of the
 * packaged jar ({@code java -jar longpoll-chat.jar --host=127.0.0.1 --port=0 --redis=URI …}, see
 * {@link ChatNode}), and optionally the WAR in a real Tomcat ({@link TomcatServer}, context
 * init-parameter {@code redis}) as one more node, last. All start at once; the cluster is ready
 * when every node has said it listens. Tests talk to {@link #base()} (the balancer) as clients
 * would, or to one node directly ({@link #client(int)}).
 *
 * <p>{@link #kill(int)} is SIGKILL on that node's process; {@link #redis()} is there to be stopped,
 * killed and restarted. {@link #close()} stops every node (SIGTERM: parked polls are answered, as
 * in one process), the balancer and Redis, and writes each jar's output to
 * {@code chat.cluster.logs} (default {@code target/cluster-logs}), a folder per cluster.
 */
public final class Cluster implements AutoCloseable {
    private final String name;
    private final RedisServer redis;
    private final List<Node> nodes = new ArrayList<>();
    private Balancer balancer;

    /** One node: a jar process or a Tomcat. */
    private interface Node {
        URI base();

        boolean isAlive();

        void kill() throws InterruptedException;

        void stop() throws InterruptedException;

        /** What the node printed, for the log folder; null where it keeps a log of its own. */
        String output();
    }

    private Cluster(String name, RedisServer redis) {
        this.name = name.replaceAll("[^A-Za-z0-9_.-]", "_");
        this.redis = redis;
    }

    /**
     * Starts Redis, then the nodes with these settings, then the balancer in front of them; on any
     * failure stops what started and throws.
     *
     * @param tomcat whether the WAR in Tomcat ({@code chat.tomcat.home}, {@code chat.war}) is a node too:
     *     see {@link #tomcatAvailable()}
     */
    public static Cluster start(String name, int jars, boolean tomcat, Map<Option, String> settings)
            throws Exception {
        Cluster cluster = new Cluster(name, RedisServer.start());
        Map<Option, String> all = new EnumMap<>(Option.class);
        all.putAll(settings);
        all.put(Option.REDIS, cluster.redis.uri());
        List<Callable<Node>> starts = new ArrayList<>();
        for (int i = 0; i < jars; i++) {
            starts.add(() -> jar(all));
        }
        if (tomcat) {
            starts.add(() -> tomcat(all, name));
        }
        ExecutorService starting = Executors.newFixedThreadPool(starts.size());
        try {
            Exception failure = null;
            for (Future<Node> node : starting.invokeAll(starts)) {
                try {
                    cluster.nodes.add(node.get());
                } catch (ExecutionException e) {
                    Exception cause = e.getCause() instanceof Exception x ? x : e;
                    if (failure == null) {
                        failure = cause;
                    } else {
                        failure.addSuppressed(cause);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
            cluster.warmUp();
            cluster.balancer = Balancer.start(cluster.nodes.stream().map(Node::base).toList());
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        } finally {
            starting.shutdownNow();
        }
    }

    /**
     * A few requests to each node that go to Redis and change nothing (an unknown client's poll:
     * 410), as a balancer's health check would send, so that no test meets a node on its very
     * first request (whose cold start alone once took a 1 s poll past 2 s).
     */
    private void warmUp() {
        for (Node node : nodes) {
            ChatClient direct = new ChatClient(node.base());
            for (int i = 0; i < 3; i++) {
                Reply reply = direct.poll("cluster-warm-up", 0L, 0);
                if (reply.status() != 410) {
                    throw new IllegalStateException("warm-up poll of " + node + ": " + reply);
                }
            }
        }
    }

    private static Node jar(Map<Option, String> settings) throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>();
        settings.forEach((option, value) -> {
            if (option != Option.PORT && option != Option.HOST) {
                flags.add("--" + option.flag() + "=" + value);
            }
        });
        ChatNode node = ChatNode.start(flags);
        return new Node() {
            @Override
            public URI base() {
                return node.base();
            }

            @Override
            public boolean isAlive() {
                return node.process().isAlive();
            }

            @Override
            public void kill() throws InterruptedException {
                node.kill();
            }

            @Override
            public void stop() throws InterruptedException {
                if (isAlive()) {
                    node.stop();
                }
                node.close();
            }

            @Override
            public String output() {
                return node.output();
            }

            @Override
            public String toString() {
                return "jar pid " + node.pid() + " at " + node.base();
            }
        };
    }

    private static Node tomcat(Map<Option, String> settings, String name) throws IOException, InterruptedException {
        TomcatServer server = TomcatServer.fromProperties(ChatTarget.initParameters(settings), name).start();
        return new Node() {
            @Override
            public URI base() {
                return server.base();
            }

            @Override
            public boolean isAlive() {
                return server.isRunning();
            }

            @Override
            public void kill() throws InterruptedException {
                server.killNow();
            }

            @Override
            public void stop() throws InterruptedException {
                server.stop();
            }

            @Override
            public String output() {
                return null;
            }

            @Override
            public String toString() {
                return "Tomcat at " + server.base() + " (log " + server.log() + ")";
            }
        };
    }

    /** Whether a cluster may have the WAR in Tomcat as a node: not skipped, and unpacked by the pom for failsafe. */
    public static boolean tomcatAvailable() {
        return !Boolean.getBoolean("chat.skipTomcat") && System.getProperty("chat.tomcat.home") != null;
    }

    public RedisServer redis() {
        return redis;
    }

    /** The balancer's base URL, where clients go. */
    public URI base() {
        return balancer.base();
    }

    public Balancer balancer() {
        return balancer;
    }

    public int size() {
        return nodes.size();
    }

    /** Node {@code i}'s own base URL. */
    public URI node(int i) {
        return nodes.get(i).base();
    }

    public boolean isAlive(int i) {
        return nodes.get(i).isAlive();
    }

    /** SIGKILL on node {@code i}'s process. */
    public void kill(int i) throws InterruptedException {
        nodes.get(i).kill();
    }

    /** A client of the balancer. */
    public ChatClient client() {
        return new ChatClient(base());
    }

    /** A client of node {@code i} alone. */
    public ChatClient client(int i) {
        return new ChatClient(node(i));
    }

    /** Stops every node at once, then the balancer and Redis; keeps the jars' output in the log folder. */
    @Override
    public void close() throws Exception {
        List<Thread> stopping = new ArrayList<>();
        for (Node node : nodes) {
            Thread thread = new Thread(() -> {
                try {
                    node.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "stop " + node);
            thread.start();
            stopping.add(thread);
        }
        for (Thread thread : stopping) {
            thread.join();
        }
        try {
            writeLogs();
        } finally {
            if (balancer != null) {
                balancer.close();
            }
            redis.close();
        }
    }

    private void writeLogs() throws IOException {
        if (nodes.isEmpty()) {
            return;
        }
        Path parent = Files.createDirectories(Path.of(System.getProperty("chat.cluster.logs", "target/cluster-logs")));
        Path folder = Files.createTempDirectory(parent, name + "-");
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            String output = node.output();
            Files.writeString(folder.resolve("node-" + i + ".log"),
                    node + "\n" + (output == null ? "" : output), StandardCharsets.UTF_8);
        }
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Cluster ").append(name).append(':');
        for (int i = 0; i < nodes.size(); i++) {
            text.append("\n  ").append(i).append(": ").append(nodes.get(i))
                    .append(nodes.get(i).isAlive() ? "" : " (down)");
        }
        return text.append("\n  ").append(balancer).append("\n  Redis at ").append(redis.uri()).toString();
    }
}
