package io.github.longpollchat.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * axe-core, the accessibility checker, run in the browser's current page. Its script is a test
 * resource ({@code src/test/resources/axe/}) that the driver puts into the page: nothing is loaded
 * from another host, and the page's CSP stays as it is.
 */
final class Axe {
    private static final String RESOURCE = "axe/axe.min.js";
    private static final String SOURCE = load();

    private Axe() {
    }

    private static String load() {
        try (InputStream in = Axe.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The serious and critical violations in the page as it is now: "rule (impact): element, element". */
    static List<String> seriousViolations(Browser b) {
        b.js(SOURCE);
        @SuppressWarnings("unchecked")
        List<String> found = (List<String>) b.driver().executeAsyncScript(
                "var done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']}).then(function (r) {"
                + "  done(r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })"
                + "    .map(function (v) { return v.id + ' (' + v.impact + '): '"
                + "      + v.nodes.map(function (n) { return n.target.join(' '); }).join(', '); }));"
                + "}, function (e) { done(['axe failed: ' + e]); });");
        return found;
    }
}
