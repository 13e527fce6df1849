package io.github.longpollchat.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private {@code redis-server} for a test: a child process of this JVM on a free port of
 * 127.0.0.1, with a data folder of its own, AOF on and no RDB snapshots, never the machine's
 * Redis service. It is stopped by its own pid (and killed with the JVM, should a test forget).
 *
 * <pre>{@code
 * RedisServer redis = RedisServer.start();   // answers PING when this returns
 * settings.with(Option.REDIS, redis.uri());
 * redis.cli("CLIENT", "KILL", "TYPE", "pubsub");
 * redis.stop(); redis.restart();             // same port, same data: AOF brings it back
 * redis.kill();                              // SIGKILL
 * redis.close();                             // stops it and deletes its folder
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {
    private static final String SERVER = System.getProperty("chat.redis.server", "/usr/bin/redis-server");
    private static final String CLI = System.getProperty("chat.redis.cli", "/usr/bin/redis-cli");
    private static final long START_MILLIS = 10_000;
    private static final long STOP_MILLIS = 10_000;
    private static final int PORT_TRIES = 5;

    private final Path folder;
    private int port;
    private Process process;

    private RedisServer(Path folder) {
        this.folder = folder;
    }

    /** A new server on a free port, answering PING when this returns. */
    public static RedisServer start() throws IOException {
        RedisServer server = new RedisServer(Files.createTempDirectory("chat-redis-"));
        IOException last = null;
        for (int i = 0; i < PORT_TRIES; i++) {
            server.port = freePort();
            try {
                server.launch();
                return server;
            } catch (IOException e) {
                // Another process may have taken the port between our look and Redis's bind.
                last = e;
            }
        }
        server.deleteFolder();
        throw last;
    }

    /** {@code redis://127.0.0.1:PORT}, the form of the {@code redis} setting. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** The server's process id, for its CPU from /proc (the load generator's smoke run). */
    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    /** Starts it again after {@link #stop()} or {@link #kill()}: same port, same data folder. */
    public void restart() throws IOException {
        if (process != null && process.isAlive()) {
            stop();
        }
        launch();
    }

    /** Stops it with SIGTERM (Redis writes its AOF and exits), waiting for it to be gone. */
    public void stop() {
        end(false);
    }

    /** Kills it with SIGKILL, as a crash would. */
    public void kill() {
        end(true);
    }

    /**
     * Runs {@code redis-cli} against it.
     *
     * @return what it printed, trimmed
     */
    public String cli(String... args) {
        List<String> command = new ArrayList<>(List.of(CLI, "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        try {
            Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output;
            try (InputStream in = cli.getInputStream()) {
                output = in.readAllBytes();
            }
            if (!cli.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS)) {
                cli.destroyForcibly();
                throw new IllegalStateException("redis-cli " + args[0] + " did not end");
            }
            return new String(output, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
        deleteFolder();
    }

    private void launch() throws IOException {
        Path log = folder.resolve("redis.log");
        process = new ProcessBuilder(SERVER,
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--dir", folder.toString(),
                "--appendonly", "yes",
                "--save", "",
                "--daemonize", "no",
                "--logfile", log.toString())
                .redirectErrorStream(true)
                .redirectOutput(folder.resolve("redis.out").toFile())
                .start();
        Process launched = process;
        Runtime.getRuntime().addShutdownHook(new Thread(launched::destroyForcibly, "redis-" + port + "-reaper"));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
        while (!answersPing()) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                end(true);
                throw new IOException("redis-server on port " + port + " did not answer PING: " + tail(log));
            }
            sleep(20);
        }
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] answer = new byte[7];
            int read = socket.getInputStream().read(answer);
            return read > 0 && new String(answer, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException notYet) {
            return false;
        }
    }

    private void end(boolean kill) {
        Process running = process;
        if (running == null || !running.isAlive()) {
            return;
        }
        if (kill) {
            running.destroyForcibly();
        } else {
            running.destroy();
        }
        try {
            if (!running.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS)) {
                running.destroyForcibly();
                running.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void deleteFolder() {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A leftover temp folder is no failure of the test.
        }
    }
}
