package io.github.longpollchat.http;

import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;

/**
 * The headers every answer carries, the servlets' and the jar's container-level errors alike: no
 * content sniffing (a JSON answer is never run as a script or page), and no referrer leaves the
 * page (its URL may carry a room name or a name).
 */
public final class SafetyHeaders {
    public static final Map<String, String> ALL = Map.of(
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer");

    private SafetyHeaders() {
    }

    static void set(HttpServletResponse response) {
        ALL.forEach(response::setHeader);
    }
}
