package io.github.longpollchat.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The shape of the {@code redis} setting: empty (the chat stays in memory), or
 * {@code redis://[user:password@]host:port[/db]}. Checked here, at start-up, so that a typo stops
 * the server with one line instead of a node that cannot reach its store. The value is never
 * echoed: it may hold a password.
 */
final class RedisUri {
    static final String SHAPE = "redis://[user:password@]host:port[/db]";

    private RedisUri() {
    }

    /** @return the value itself; empty for none */
    static String check(String raw, String source) {
        if (raw.isEmpty()) {
            return raw;
        }
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw bad(source, "not a URI");
        }
        if (!"redis".equals(uri.getScheme())) {
            throw bad(source, "the scheme must be redis://");
        }
        if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
            throw bad(source, "it needs a host and a port (1-65535)");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw bad(source, "no query or fragment is taken");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!path.isEmpty() && !path.equals("/") && !path.substring(1).matches("[0-9]{1,5}")) {
            throw bad(source, "the database must be a whole number");
        }
        return raw;
    }

    private static SettingsException bad(String source, String why) {
        return new SettingsException(source + ": not a " + SHAPE + " URI (" + why + ")");
    }
}
