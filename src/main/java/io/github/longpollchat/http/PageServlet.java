package io.github.longpollchat.http;

import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.metrics.ChatMetrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code GET /}: the chat page, its script and style, and jQuery, all from the classpath (the
 * {@code webapp/} folder is packed under {@code public/}; jQuery comes from its WebJar), so that
 * the jar and the WAR serve the same bytes and no page depends on another host. Mapped as the
 * default servlet, it also answers every unknown path with the protocol's JSON 404.
 */
public final class PageServlet extends ChatServlet {
    private static final Pattern SAFE_PATH = Pattern.compile("(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+");
    private static final String JQUERY_PATH = "/vendor/jquery.min.js";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html;charset=UTF-8",
            "js", "text/javascript;charset=UTF-8",
            "css", "text/css;charset=UTF-8",
            "png", "image/png",
            "svg", "image/svg+xml",
            "ico", "image/x-icon");
    /** No inline script or style, nothing from other hosts, no framing. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final String jqueryResource;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    public PageServlet(Hub hub, BodyDeadlines deadlines, AllowedHosts hosts, ChatMetrics metrics) {
        super(hub, deadlines, hosts, metrics, "GET", "HEAD");
        this.jqueryResource = buildProperties().getProperty("jquery.path");
    }

    private static Properties buildProperties() {
        Properties properties = new Properties();
        try (InputStream in = PageServlet.class.getResourceAsStream("/longpoll-chat.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    @Override
    boolean exists(HttpServletRequest request) {
        return file(path(request)).isPresent();
    }

    @Override
    void handle(HttpServletRequest request, Fields none, Answer answer) {
        HttpServletResponse response = answer.response();
        String path = path(request);
        byte[] body = file(path).orElseThrow();
        String extension = path.substring(path.lastIndexOf('.') + 1);
        response.setContentType(TYPES.getOrDefault(extension, "application/octet-stream"));
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("X-Frame-Options", "DENY");
        answer.bytes(body, !request.getMethod().equals("HEAD"));
    }

    private static String path(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        return path.isEmpty() || path.equals("/") ? "/index.html" : path;
    }

    /**
     * The file at a URL path, read once; empty for anything that is not one of ours. Misses are
     * not remembered, or random paths would grow the cache without bound.
     */
    private Optional<byte[]> file(String path) {
        if (!SAFE_PATH.matcher(path).matches()) {
            return Optional.empty();
        }
        byte[] cached = files.get(path);
        if (cached != null) {
            return Optional.of(cached);
        }
        String resource = path.equals(JQUERY_PATH) ? jqueryResource : "public" + path;
        try (InputStream in = PageServlet.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            files.putIfAbsent(path, bytes);
            return Optional.of(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
