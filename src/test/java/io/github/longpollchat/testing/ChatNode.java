package io.github.longpollchat.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged jar as a child process, the way an operator runs it ({@code java -jar
 * longpoll-chat.jar --flag=value …}): its standard output read line by line, both streams kept.
 * The jar is the system property {@code chat.jar} (set by the pom for failsafe), else
 * {@code target/longpoll-chat.jar}. {@code CHAT_*} variables of this environment are not passed
 * on: only the flags, and the variables a test gives, decide the settings. A JVM shutdown hook makes sure it never outlives the tests.
 */
public final class ChatNode implements AutoCloseable {
    public static final Pattern LISTENING = Pattern.compile("Listening on (https?://127\\.0\\.0\\.1:(\\d+)/)");
    public static final int START_SECONDS = 20;
    private static final int STOP_SECONDS = 15;
    /** What a node of a cluster runs with: small and quick to start, on a 2-core machine shared with others. */
    public static final List<String> SMALL_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer out = new StringBuffer();
    private final StringBuffer err = new StringBuffer();
    private final Thread outReader;
    private final Thread errReader;
    private final Thread shutdownHook;
    private URI base;

    private ChatNode(Process process) {
        this.process = process;
        outReader = pump(process.getInputStream(), out, lines);
        errReader = pump(process.getErrorStream(), err, null);
        shutdownHook = new Thread(process::destroyForcibly, "kill chat " + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Runs the jar with these flags; returns at once. */
    public static ChatNode launch(String... args) throws IOException {
        return launch(List.of(), args);
    }

    /** Runs the jar with these options for the JVM before {@code -jar}, and these flags; returns at once. */
    public static ChatNode launch(List<String> jvmOptions, String... args) throws IOException {
        return launch(Map.of(), jvmOptions, args);
    }

    /** The same, with these variables in its environment: settings that are never flags (a password). */
    public static ChatNode launch(Map<String, String> environment, List<String> jvmOptions, String... args) throws IOException {
        Path jar = Path.of(System.getProperty("chat.jar", "target/longpoll-chat.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn package first");
        }
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(key -> key.startsWith("CHAT_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        return new ChatNode(process);
    }

    /**
     * Runs the jar on a free port of 127.0.0.1 with these flags and a small JVM, and waits for its
     * {@code Listening on} line; kills it if the line does not come.
     */
    public static ChatNode start(List<String> flags) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--host=127.0.0.1", "--port=0"));
        args.addAll(flags);
        ChatNode node = launch(SMALL_JVM, args.toArray(String[]::new));
        try {
            Matcher m = LISTENING.matcher(node.awaitLine(LISTENING, START_SECONDS));
            if (!m.find()) {
                throw new IllegalStateException("unreadable Listening line");
            }
            node.base = URI.create(m.group(1));
            return node;
        } catch (RuntimeException | AssertionError | InterruptedException e) {
            node.kill();
            throw e;
        }
    }

    private static Thread pump(InputStream in, StringBuffer all, BlockingQueue<String> queue) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    all.append(line).append('\n');
                    if (queue != null) {
                        queue.add(line);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "process-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** The first stdout line matching the pattern, within the time; fails with both streams if none does. */
    public String awaitLine(Pattern pattern, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("no line matching " + pattern + " within " + seconds + " s; stdout: " + out
                        + " stderr: " + err + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")"));
            }
            if (pattern.matcher(line).find()) {
                return line;
            }
        }
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** {@code http://127.0.0.1:PORT/}, once {@link #start} has seen its Listening line. */
    public URI base() {
        return base;
    }

    /** Everything printed on stdout, once the process is gone and its stream read to the end. */
    public String stdout() throws InterruptedException {
        outReader.join(TimeUnit.SECONDS.toMillis(5));
        return out.toString();
    }

    public String stderr() throws InterruptedException {
        errReader.join(TimeUnit.SECONDS.toMillis(5));
        return err.toString();
    }

    public List<String> stderrLines() throws InterruptedException {
        String text = stderr();
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    /** Both streams so far, for a failure message or a log file; does not wait for the process. */
    public String output() {
        return "--- stdout\n" + out + "--- stderr\n" + err;
    }

    /**
     * SIGTERM: the server's graceful stop. Through the process's handle, because {@link Process#destroy()}
     * also closes the streams this node reads, and a line the process printed but this node had not
     * yet read would be lost.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** SIGTERM (the server's graceful stop), then SIGKILL after 15 s; returns the exit status. */
    public int stop() throws InterruptedException {
        terminate();
        if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
            kill();
        }
        return process.exitValue();
    }

    /** SIGKILL: the process is gone at once, with whatever it held. */
    public void kill() throws InterruptedException {
        if (process.isAlive()) {
            process.toHandle().destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: fine
        }
    }
}
