package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /}: the page and its own files; every other path is a JSON 404. */
@Timeout(60)
class PageTest {
    private static final Pattern URL_ATTRIBUTE = Pattern.compile("(?:src|href)\\s*=\\s*\"([^\"]*)\"");

    @RegisterExtension
    static ChatTarget chat = ChatTarget.withDefaults();

    private final Api api = new Api(chat);

    @Test
    void pageIsServedAsHtmlAtTheBaseUrl() {
        Reply page = api.get("");
        assertEquals(200, page.status());
        assertTrue(type(page).startsWith("text/html"), type(page));
        assertTrue(page.body().toLowerCase(Locale.ROOT).contains("<html"));
    }

    @Test
    void pageTakesRoomAndNameInTheQuery() {
        Reply page = api.get("?room=r1&name=alice");
        assertEquals(200, page.status());
        assertTrue(type(page).startsWith("text/html"), type(page));
    }

    @Test
    void headOfThePageIsAnsweredWithoutABody() {
        Reply head = api.method("HEAD", "");
        assertEquals(200, head.status());
        assertTrue(type(head).startsWith("text/html"), type(head));
        assertTrue(head.body().isEmpty());
    }

    @Test
    void pageUsesRelativeUrlsOnlyAndNoOtherHost() {
        List<String> urls = pageUrls();
        assertFalse(urls.isEmpty());
        for (String url : urls) {
            assertFalse(url.startsWith("/"), "relative, so that any context path works: " + url);
            assertFalse(url.contains("://") || url.startsWith("//"), "no other host: " + url);
        }
        assertTrue(urls.contains("vendor/jquery.min.js"), urls::toString);
    }

    @Test
    void pageScriptsCallTheEndpointsByRelativeUrls() {
        for (String url : pageUrls()) {
            if (!url.endsWith(".js") || url.startsWith("vendor/")) {
                continue;
            }
            String script = api.get(url).body();
            for (String endpoint : List.of("join", "send_msg", "get_msg", "leave")) {
                for (String quote : List.of("'", "\"", "`")) {
                    assertFalse(script.contains(quote + "/" + endpoint), url + " calls /" + endpoint + " from the root");
                }
            }
        }
    }

    @Test
    void everyFileThePageLoadsIsServedByTheApplication() {
        for (String url : pageUrls()) {
            Reply file = api.get(url);
            assertEquals(200, file.status(), url);
            assertFalse(file.body().isEmpty(), url);
        }
    }

    @Test
    void jqueryIsServedByTheApplication() {
        Reply jquery = api.get("vendor/jquery.min.js");
        assertEquals(200, jquery.status());
        assertTrue(type(jquery).contains("javascript"), type(jquery));
        assertTrue(jquery.body().contains("jQuery"), "it is jQuery");
    }

    @Test
    void unknownPathIs404NotFoundInJson() {
        for (String path : List.of("nope", "nope.html", "vendor/nope.js", "vendor/", "join/", "join/extra",
                "get_msg/x", "send_msg.json", "chat.js/x", "a/b/c", "index.html.bak", "vendor/jquery.js")) {
            assertError(api.get(path), 404, "not_found");
        }
    }

    @Test
    void pathsTheContainerGuardsAreNotServed() {
        for (String path : List.of("WEB-INF/web.xml", "WEB-INF/classes/longpoll-chat.properties",
                "META-INF/MANIFEST.MF")) {
            Reply reply = api.http().get(path);
            assertNotEquals(200, reply.status(), path);
            assertTrue(reply.status() >= 400 && reply.status() < 500, path + " -> " + reply);
        }
    }

    @Test
    void oddPathsGetAnErrorNeverA500OrAStackTrace() {
        for (String path : List.of("%ff", "..%2fjoin", "%2e%2e/WEB-INF/web.xml", "vendor/..%2f..%2fjoin",
                "join;x=1", "%00", "a%2Fb")) {
            Reply reply = api.rawToContainer("GET", path);
            assertTrue(reply.status() >= 400 && reply.status() < 500, path + " -> " + reply);
        }
    }

    private List<String> pageUrls() {
        Matcher m = URL_ATTRIBUTE.matcher(api.get("").body());
        List<String> urls = new ArrayList<>();
        while (m.find()) {
            String url = m.group(1);
            // Inline data and in-page anchors load nothing from anywhere.
            if (!url.startsWith("data:") && !url.startsWith("#")) {
                urls.add(url);
            }
        }
        return urls;
    }

    private static String type(Reply reply) {
        return reply.header("Content-Type") == null ? "" : reply.header("Content-Type").toLowerCase(Locale.ROOT);
    }
}
