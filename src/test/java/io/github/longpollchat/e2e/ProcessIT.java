package io.github.longpollchat.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.ChatNode;
import io.github.longpollchat.testing.Reply;
import io.github.longpollchat.testing.TestKeystore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packaged jar as a separate process, the way an operator runs it:
 * {@code java -jar longpoll-chat.jar --port=0 --host=127.0.0.1}, through {@link ChatNode}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessIT {
    private static final Pattern LISTENING = ChatNode.LISTENING;
    private static final int START_SECONDS = ChatNode.START_SECONDS;
    private static final int PARKED = 3;

    @Test
    void runsChatsAndOnSigtermAnswersParkedPollsAndExitsZero() throws Exception {
        ChatNode chat = ChatNode.launch("--port=0", "--host=127.0.0.1");
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
            chat.terminate();
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
            assertTrue(chat.process().waitFor(5, TimeUnit.SECONDS), "the process exits within 5 s of SIGTERM");
            long exitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termAt);
            System.out.printf("parked polls answered %d ms and process exited %d ms after SIGTERM%n", answeredMs, exitedMs);
            assertEquals(0, chat.process().exitValue(), "exit status after SIGTERM; stderr: " + chat.stderr());
        } finally {
            chat.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"--port=99999, --port", "--poll-timeout=abc, --poll-timeout", "--admin-port=70000, --admin-port",
        "--admin-allow=everyone, --admin-allow"})
    void aBadFlagValueExitsWithStatusTwoAndOneLineNamingTheFlag(String arg, String flag) throws Exception {
        ChatNode chat = ChatNode.launch(arg, "--host=127.0.0.1");
        try {
            assertTrue(chat.process().waitFor(START_SECONDS, TimeUnit.SECONDS), "a bad flag stops start-up");
            assertEquals(2, chat.process().exitValue());
            List<String> err = chat.stderrLines();
            assertEquals(1, err.size(), "one line on stderr: " + err);
            assertTrue(err.get(0).contains(flag), err.get(0));
            assertFalse(chat.stdout().contains("Listening"), chat.stdout());
        } finally {
            chat.close();
        }
    }

    @Test
    void withAKeystoreTheJarServesHttp2OverTlsAndSaysHttpsInItsListeningLine() throws Exception {
        // The shaded jar must keep the JDK's ALPN provider (a META-INF/services entry): without it
        // the TLS connector would have no way to agree on HTTP/2.
        ChatNode chat = ChatNode.launch(TestKeystore.environment(), List.of(),
                "--port=0", "--host=127.0.0.1", "--tls-keystore=" + TestKeystore.path());
        try {
            Matcher m = LISTENING.matcher(chat.awaitLine(LISTENING, START_SECONDS));
            assertTrue(m.find());
            URI base = URI.create(m.group(1));
            assertEquals("https", base.getScheme());
            HttpResponse<String> joined = TestKeystore.client(HttpClient.Version.HTTP_2).send(
                    HttpRequest.newBuilder(base.resolve("join")).header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("name=tls")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, joined.statusCode(), joined.body());
            assertEquals(HttpClient.Version.HTTP_2, joined.version());
            assertFalse(chat.output().contains(TestKeystore.PASSWORD), "the password is never printed");
        } finally {
            chat.close();
        }
    }

    @Test
    void aWrongKeystorePasswordExitsWithStatusTwoAndOneLineNamingItsVariable() throws Exception {
        ChatNode chat = ChatNode.launch(Map.of("CHAT_TLS_PASSWORD", "wrong-password"), List.of(),
                "--port=0", "--host=127.0.0.1", "--tls-keystore=" + TestKeystore.path());
        try {
            assertTrue(chat.process().waitFor(START_SECONDS, TimeUnit.SECONDS), "a bad keystore stops start-up");
            assertEquals(2, chat.process().exitValue());
            List<String> err = chat.stderrLines();
            assertEquals(1, err.size(), "one line on stderr: " + err);
            assertTrue(err.get(0).contains("CHAT_TLS_PASSWORD"), err.get(0));
            assertFalse(err.get(0).contains("wrong-password"), err.get(0));
        } finally {
            chat.close();
        }
    }

    @Test
    void helpListsEveryFlagAndExitsZero() throws Exception {
        ChatNode chat = ChatNode.launch("--help");
        try {
            assertTrue(chat.process().waitFor(START_SECONDS, TimeUnit.SECONDS), "--help exits");
            assertEquals(0, chat.process().exitValue(), chat.stderr());
            String out = chat.stdout();
            for (Option option : Option.values()) {
                assertTrue(option.environmentOnly() || out.contains("--" + option.flag()), "--help lists --" + option.flag() + ":\n" + out);
                assertTrue(out.contains(option.env()), "--help names " + option.env() + ":\n" + out);
            }
            assertFalse(out.contains("Listening"), out);
            assertEquals("", chat.stderr());
        } finally {
            chat.close();
        }
    }

    @Test
    void startsQuietlyWithOnlyItsListeningLineAndNoJettyChatter() throws Exception {
        ChatNode chat = ChatNode.launch("--port=0", "--host=127.0.0.1");
        try {
            chat.awaitLine(LISTENING, START_SECONDS);
            chat.terminate();
            assertTrue(chat.process().waitFor(5, TimeUnit.SECONDS), "the process exits within 5 s of SIGTERM");
            List<String> out = chat.stdout().lines().toList();
            assertEquals(1, out.size(), "one line on stdout: " + out);
            assertTrue(LISTENING.matcher(out.get(0)).matches(), out.get(0));
            assertFalse(chat.stderr().contains("org.eclipse.jetty"), "Jetty's INFO lines are off:\n" + chat.stderr());
        } finally {
            chat.close();
        }
    }

    @Test
    void jettysOwnLinesComeBackWithItsLoggerSetToInfo() throws Exception {
        ChatNode chat = ChatNode.launch(List.of("-Dorg.slf4j.simpleLogger.log.org.eclipse.jetty=info"), "--port=0", "--host=127.0.0.1");
        try {
            chat.awaitLine(LISTENING, START_SECONDS);
            chat.terminate();
            assertTrue(chat.process().waitFor(5, TimeUnit.SECONDS), "the process exits within 5 s of SIGTERM");
            assertTrue(chat.stderr().contains("org.eclipse.jetty.server.Server - Started"), chat.stderr());
        } finally {
            chat.close();
        }
    }
}
