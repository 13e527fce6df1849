package io.github.longpollchat.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code redis-server} child process for tests, never the system's service: a free
 * port of 127.0.0.1, its own temporary data folder, AOF on ({@code appendonly yes}, fsync every
 * second), no RDB snapshots, no password, protected mode on. The binary is the system property
 * {@code chat.redis.server}, else {@code /usr/bin/redis-server}, else {@code redis-server} on the
 * PATH; {@link #cli} runs the {@code redis-cli} beside it.
 *
 * <p>{@link #stop()} is a clean {@code SHUTDOWN} (SIGTERM: Redis writes its AOF and exits);
 * {@link #kill()} is SIGKILL; {@link #restart()} starts it again on the same port with the same
 * data, as an operator's {@code systemctl restart} would. A JVM shutdown hook makes sure no server
 * outlives the tests; {@link #close()} stops it and deletes its folder.
 */
public final class RedisServer implements AutoCloseable {
    public static final int START_SECONDS = 10;
    private static final int STOP_SECONDS = 10;

    private final Path binary;
    private final Path dir;
    private final int port;
    private Process process;
    private Thread shutdownHook;

    private RedisServer(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
    }

    /** Starts a new server, ready for commands when this returns. */
    public static RedisServer start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("redis-test-");
        RedisServer redis = new RedisServer(binary(), dir, Scratch.freePort());
        try {
            redis.launch();
        } catch (IOException | InterruptedException | RuntimeException e) {
            redis.close();
            throw e;
        }
        return redis;
    }

    /** {@code redis://127.0.0.1:PORT/0}, what {@code --redis} takes. */
    public URI uri() {
        return URI.create("redis://127.0.0.1:" + port + "/0");
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** A clean stop: SIGTERM, which Redis takes as {@code SHUTDOWN} (the AOF is written first). */
    public void stop() throws InterruptedException {
        end(false);
    }

    /** SIGKILL: gone at once, only what the AOF had on disk survives. */
    public void kill() throws InterruptedException {
        end(true);
    }

    /** Starts it again, on the same port with the same data folder (stopping it first if it runs). */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    /**
     * Runs {@code redis-cli -p PORT ARGS…} and returns its standard output (raw replies, one per
     * line); fails if it does not exit 0 within 10 s.
     */
    public String cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.resolveSibling("redis-cli").toString(),
                "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
        cli.getOutputStream().close();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!cli.waitFor(10, TimeUnit.SECONDS)) {
            cli.destroyForcibly();
            throw new IllegalStateException("redis-cli did not finish: " + command);
        }
        if (cli.exitValue() != 0) {
            throw new IllegalStateException("redis-cli exited " + cli.exitValue() + ": " + command + "\n" + out);
        }
        return out;
    }

    /** Stops the server and deletes its data folder. */
    @Override
    public void close() throws InterruptedException {
        kill();
        Scratch.deleteTree(dir);
    }

    /** The server's own log, for a failure message. */
    public String log() {
        try {
            Path log = dir.resolve("redis.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read the log: " + e + ")";
        }
    }

    private void launch() throws IOException, InterruptedException {
        if (isRunning()) {
            throw new IllegalStateException("already running");
        }
        List<String> command = List.of(binary.toString(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--protected-mode", "yes",
                "--dir", dir.toString(),
                "--appendonly", "yes",
                "--appendfsync", "everysec",
                "--save", "",
                "--daemonize", "no",
                "--logfile", dir.resolve("redis.log").toString());
        Process started = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.getOutputStream().close();
        process = started;
        shutdownHook = new Thread(started::destroyForcibly, "stop redis " + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (true) {
            if (!started.isAlive()) {
                throw new IllegalStateException("redis-server exited " + started.exitValue() + " at start; log:\n" + log());
            }
            try {
                if (cli("PING").trim().equals("PONG")) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // not listening, or still loading its AOF
            }
            if (System.nanoTime() - deadline > 0) {
                end(true);
                throw new IllegalStateException("redis-server not ready within " + START_SECONDS + " s; log:\n" + log());
            }
            Thread.sleep(50);
        }
    }

    private void end(boolean forcibly) throws InterruptedException {
        Process running = process;
        if (running == null) {
            return;
        }
        process = null;
        if (forcibly) {
            running.destroyForcibly();
        } else {
            running.destroy();
            if (!running.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                running.destroyForcibly();
            }
        }
        running.waitFor(STOP_SECONDS, TimeUnit.SECONDS);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: fine
        }
    }

    private static Path binary() {
        String configured = System.getProperty("chat.redis.server", "");
        if (!configured.isBlank()) {
            return Path.of(configured);
        }
        Path debian = Path.of("/usr/bin/redis-server");
        if (Files.isExecutable(debian)) {
            return debian;
        }
        for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(folder, "redis-server");
            if (!folder.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no redis-server: install Debian's redis-server (.ci/run does) or set chat.redis.server");
    }
}
