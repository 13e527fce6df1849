package io.github.longpollchat.http;

import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Who may read {@code /metrics}, {@code /healthz} and {@code /readyz} (the {@code admin-allow}
 * setting): anyone, or only callers on this machine. A local caller is one whose connection comes
 * from a loopback address and that no proxy forwarded: a request carrying {@code Forwarded} or
 * {@code X-Forwarded-For} came from elsewhere through a proxy on this machine, which would
 * otherwise make every chat user local.
 */
final class AdminCallers {
    /** What a remote address the container gives looks like: an IP literal, never a name to look up. */
    private static final Pattern IP_LITERAL = Pattern.compile("\\[?[0-9A-Fa-f:.]+(%[\\w.]+)?]?");

    private final boolean anyone;

    private AdminCallers(boolean anyone) {
        this.anyone = anyone;
    }

    /** @param setting {@code loopback} or {@code any}, as checked by the setting */
    static AdminCallers of(String setting) {
        return new AdminCallers(setting.equals("any"));
    }

    boolean allow(HttpServletRequest request) {
        return anyone || isLocal(request.getRemoteAddr(), request.getHeader("Forwarded"), request.getHeader("X-Forwarded-For"));
    }

    static boolean isLocal(String remoteAddress, String forwarded, String forwardedFor) {
        if (forwarded != null || forwardedFor != null || remoteAddress == null || !IP_LITERAL.matcher(remoteAddress).matches()) {
            return false;
        }
        String literal = remoteAddress.startsWith("[") ? remoteAddress.substring(1, remoteAddress.length() - 1) : remoteAddress;
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
