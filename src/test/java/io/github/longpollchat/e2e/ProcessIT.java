package io.github.longpollchat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.Reply;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packaged jar as a separate process, the way an operator runs it:
 * {@code java -jar longpoll-chat.jar --port=0 --host=127.0.0.1}. The jar is {@code chat.jar}
 * (set by the pom), else {@code target/longpoll-chat.jar}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessIT {
    private static final Pattern LISTENING = Pattern.compile("Listening on (http://127\\.0\\.0\\.1:(\\d+)/)");
    private static final int START_SECONDS = 20;
    private static final int PARKED = 3;

    @Test
    void runsChatsAndOnSigtermAnswersParkedPollsAndExitsZero() throws Exception {
        Chat chat = Chat.start("--port=0", "--host=127.0.0.1");
        try {
            String line = chat.awaitLine(LISTENING, START_SECONDS);
            Matcher m = LISTENING.matcher(line);
            assertTrue(m.find(), line);
            ChatClient http = new ChatClient(URI.create(m.group(1)));

            // Some people chat over HTTP.
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < PARKED; i++) {
                JsonNode joined = http.join("user" + i, "proc");
                ids.add(joined.get("clientId").asText());
            }
            Reply sent = http.send(ids.get(0), "hello from a real process");
            assertEquals(200, sent.status(), sent.toString());
            long newest = sent.json().get("id").asLong();
            Reply got = http.poll(ids.get(1), 0L, 5);
            assertEquals(200, got.status(), got.toString());
            JsonNode messages = got.json().get("messages");
            assertEquals("hello from a real process", messages.get(messages.size() - 1).get("text").asText(), got.toString());
            assertEquals(newest, got.json().get("cursor").asLong());

            // Each parks a poll at the newest id.
            List<CompletableFuture<Reply>> polls = new ArrayList<>();
            for (String id : ids) {
                polls.add(http.pollAsync(id, newest, 30));
            }
            Thread.sleep(1000);
            for (CompletableFuture<Reply> poll : polls) {
                assertFalse(poll.isDone(), () -> "the poll should be parked, got " + poll.join());
            }

            long termAt = System.nanoTime();
            chat.process.destroy();   // SIGTERM on Linux
            for (CompletableFuture<Reply> poll : polls) {
                Reply reply = poll.get(5, TimeUnit.SECONDS);
                assertEquals(200, reply.status(), reply.toString());
                JsonNode body = reply.json();
                assertFalse(body.get("status").asBoolean(), reply.toString());
                assertEquals(0, body.get("messages").size(), reply.toString());
                assertEquals(newest, body.get("cursor").asLong(), reply.toString());
                assertNull(body.get("superseded"), reply.toString());
            }
            long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termAt);
            assertTrue(chat.process.waitFor(5, TimeUnit.SECONDS), "the process exits within 5 s of SIGTERM");
            long exitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termAt);
            System.out.printf("parked polls answered %d ms and process exited %d ms after SIGTERM%n", answeredMs, exitedMs);
            assertEquals(0, chat.process.exitValue(), "exit status after SIGTERM; stderr: " + chat.stderr());
        } finally {
            chat.kill();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"--port=99999, --port", "--poll-timeout=abc, --poll-timeout"})
    void aBadFlagValueExitsWithStatusTwoAndOneLineNamingTheFlag(String arg, String flag) throws Exception {
        Chat chat = Chat.start(arg, "--host=127.0.0.1");
        try {
            assertTrue(chat.process.waitFor(START_SECONDS, TimeUnit.SECONDS), "a bad flag stops start-up");
            assertEquals(2, chat.process.exitValue());
            List<String> err = chat.stderrLines();
            assertEquals(1, err.size(), "one line on stderr: " + err);
            assertTrue(err.get(0).contains(flag), err.get(0));
            assertFalse(chat.stdout().contains("Listening"), chat.stdout());
        } finally {
            chat.kill();
        }
    }

    @Test
    void helpListsEveryFlagAndExitsZero() throws Exception {
        Chat chat = Chat.start("--help");
        try {
            assertTrue(chat.process.waitFor(START_SECONDS, TimeUnit.SECONDS), "--help exits");
            assertEquals(0, chat.process.exitValue(), chat.stderr());
            String out = chat.stdout();
            for (Option option : Option.values()) {
                assertTrue(out.contains("--" + option.flag()), "--help lists --" + option.flag() + ":\n" + out);
                assertTrue(out.contains(option.env()), "--help names " + option.env() + ":\n" + out);
            }
            assertFalse(out.contains("Listening"), out);
            assertEquals("", chat.stderr());
        } finally {
            chat.kill();
        }
    }

    @Test
    void startsQuietlyWithOnlyItsListeningLineAndNoJettyChatter() throws Exception {
        Chat chat = Chat.start("--port=0", "--host=127.0.0.1");
        try {
            chat.awaitLine(LISTENING, START_SECONDS);
            chat.process.destroy();
            assertTrue(chat.process.waitFor(5, TimeUnit.SECONDS), "the process exits within 5 s of SIGTERM");
            List<String> out = chat.stdout().lines().toList();
            assertEquals(1, out.size(), "one line on stdout: " + out);
            assertTrue(LISTENING.matcher(out.get(0)).matches(), out.get(0));
            assertFalse(chat.stderr().contains("org.eclipse.jetty"), "Jetty's INFO lines are off:\n" + chat.stderr());
        } finally {
            chat.kill();
        }
    }

    @Test
    void jettysOwnLinesComeBackWithItsLoggerSetToInfo() throws Exception {
        Chat chat = Chat.start(List.of("-Dorg.slf4j.simpleLogger.log.org.eclipse.jetty=info"), "--port=0", "--host=127.0.0.1");
        try {
            chat.awaitLine(LISTENING, START_SECONDS);
            chat.process.destroy();
            assertTrue(chat.process.waitFor(5, TimeUnit.SECONDS), "the process exits within 5 s of SIGTERM");
            assertTrue(chat.stderr().contains("org.eclipse.jetty.server.Server - Started"), chat.stderr());
        } finally {
            chat.kill();
        }
    }

    /** The jar running as a child process, its stdout read line by line and its stderr kept. */
    private static final class Chat {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuffer out = new StringBuffer();
        final StringBuffer err = new StringBuffer();
        final Thread outReader;
        final Thread errReader;

        private Chat(Process process) {
            this.process = process;
            outReader = pump(process.getInputStream(), out, lines);
            errReader = pump(process.getErrorStream(), err, null);
        }

        static Chat start(String... args) throws IOException {
            return start(List.of(), args);
        }

        /** With these options for the JVM before {@code -jar}. */
        static Chat start(List<String> jvmOptions, String... args) throws IOException {
            Path jar = Path.of(System.getProperty("chat.jar", "target/longpoll-chat.jar")).toAbsolutePath();
            assertTrue(Files.isRegularFile(jar), jar + " is missing: run mvn package first");
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> command = new ArrayList<>(List.of(java));
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command);
            // Flags only: no CHAT_* of this environment may change the settings under test.
            builder.environment().keySet().removeIf(key -> key.startsWith("CHAT_"));
            Process process = builder.start();
            process.getOutputStream().close();
            return new Chat(process);
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

        /** The first stdout line matching the pattern, within the time. */
        String awaitLine(Pattern pattern, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                assertNotNull(line, () -> "no line matching " + pattern + " within " + seconds + " s; stdout: " + out
                        + " stderr: " + err + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")"));
                if (pattern.matcher(line).find()) {
                    return line;
                }
            }
        }

        /** Everything printed on stdout, once the process is gone and its stream read to the end. */
        String stdout() throws InterruptedException {
            outReader.join(TimeUnit.SECONDS.toMillis(5));
            return out.toString();
        }

        String stderr() throws InterruptedException {
            errReader.join(TimeUnit.SECONDS.toMillis(5));
            return err.toString();
        }

        List<String> stderrLines() throws InterruptedException {
            String text = stderr();
            return text.isEmpty() ? List.of() : List.of(text.split("\n"));
        }

        void kill() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
