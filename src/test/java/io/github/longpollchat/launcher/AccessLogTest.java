package io.github.longpollchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.testing.ChatClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar's access log ({@code --access-log}): off unless asked for; one line per request; a
 * client's id, which polls carry in their query string, only as its redacted prefix; a header
 * cannot forge a line.
 */
@Timeout(60)
class AccessLogTest {
    @TempDir
    Path folder;

    /** Runs a join, a poll and a send against a server logging to a file; returns the file's lines and the client's id. */
    private List<String> logOf(ExchangeWith exchange, String[] idOut) throws Exception {
        Path file = folder.resolve("access.log");
        ChatServer server = ChatServer.newServer(Settings.defaults()
                .with(Option.PORT, 0).with(Option.HOST, "127.0.0.1").with(Option.ACCESS_LOG, file.toString())).start();
        try {
            ChatClient chat = new ChatClient(server.uri());
            String id = chat.join("ann", "logged").get("clientId").asText();
            idOut[0] = id;
            exchange.run(chat, id, server.uri());
        } finally {
            server.stop();
        }
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    private interface ExchangeWith {
        void run(ChatClient chat, String id, URI base) throws Exception;
    }

    @Test
    void aPollIsLoggedWithTheClientIdRedacted() throws Exception {
        String[] id = new String[1];
        List<String> lines = logOf((chat, clientId, base) -> {
            assertEquals(200, chat.poll(clientId, 0L, 0).status());
            assertEquals(200, chat.send(clientId, "hello").status());
        }, id);
        String all = String.join("\n", lines);
        assertEquals(3, lines.size(), "one line per request:\n" + all);
        assertTrue(lines.get(0).contains("\"POST /join HTTP/1.1\" 200 "), all);
        assertTrue(lines.get(1).contains("\"GET /get_msg?clientId=" + id[0].substring(0, 6) + "…&cursor=0&timeout=0 HTTP/1.1\" 200 "), all);
        assertFalse(all.contains(id[0].substring(6, 18)), "no part of the id past its prefix:\n" + all);
    }

    @Test
    void aClientIdUnderAnEncodedNameIsRedactedToo() throws Exception {
        String[] id = new String[1];
        List<String> lines = logOf((chat, clientId, base) ->
                assertEquals(200, chat.get("get_msg?client%49d=" + clientId + "&timeout=0").status()), id);
        String all = String.join("\n", lines);
        assertTrue(all.contains("client%49d=" + id[0].substring(0, 6) + "…"), all);
        assertFalse(all.contains(id[0].substring(6, 18)), "no part of the id past its prefix:\n" + all);
    }

    @Test
    void aQuoteInAHeaderCannotForgeAField() throws Exception {
        String[] id = new String[1];
        List<String> lines = logOf((chat, clientId, base) -> chat.send(HttpRequest.newBuilder(base.resolve("nowhere"))
                .header("User-Agent", "evil\" 200 \"x").GET().build()), id);
        String all = String.join("\n", lines);
        assertTrue(all.contains("\"GET /nowhere HTTP/1.1\" 404 "), all);
        assertTrue(all.contains("\"evil\\\" 200 \\\"x\""), all);
    }

    @Test
    void thereIsNoAccessLogUnlessAskedFor() {
        assertEquals("", Settings.defaults().text(Option.ACCESS_LOG));
    }
}
