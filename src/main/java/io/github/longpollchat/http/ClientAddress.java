package io.github.longpollchat.http;

import io.github.longpollchat.config.IpRange;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The address a request comes from, as {@code max-clients-per-address} counts it: the
 * connection's remote address, unless that is one of the {@code trusted-proxies}; then the
 * address that proxy names, read from the right of its header (the rightmost address that is not
 * a trusted proxy: entries to the left of it are whatever the client chose to send).
 *
 * <p>The header read is {@code X-Forwarded-For} when the request has one, else the {@code for=}
 * parameters of {@code Forwarded} (RFC 7239): the proxies in front of most servers write
 * {@code X-Forwarded-For} and pass a client's {@code Forwarded} on untouched, so that one is
 * believed only when no {@code X-Forwarded-For} came. An entry that is not an IP address (an
 * obfuscated or {@code unknown} one of RFC 7239, or garbage) ends the walk at the last good
 * address: the proxy that wrote it. From an untrusted remote address both headers are ignored.
 */
final class ClientAddress {
    private static final String X_FORWARDED_FOR = "X-Forwarded-For";
    private static final String FORWARDED = "Forwarded";

    private final List<IpRange> trusted;

    private ClientAddress(List<IpRange> trusted) {
        this.trusted = trusted;
    }

    /** @param setting the {@code trusted-proxies} setting, as checked by the settings */
    static ClientAddress of(String setting) {
        return new ClientAddress(IpRange.parse(setting));
    }

    /** The request's client address, in its canonical text. */
    String of(HttpServletRequest request) {
        return resolve(request.getRemoteAddr(),
                Collections.list(request.getHeaders(X_FORWARDED_FOR)), Collections.list(request.getHeaders(FORWARDED)));
    }

    /**
     * @param remote the connection's remote address
     * @param forwardedFor the {@code X-Forwarded-For} fields, in the order received
     * @param forwarded the {@code Forwarded} fields, in the order received
     */
    String resolve(String remote, List<String> forwardedFor, List<String> forwarded) {
        InetAddress current = IpRange.literal(withoutBrackets(remote));
        if (current == null) {
            return remote;
        }
        List<String> hops = forwardedFor.isEmpty() ? forValues(forwarded) : listItems(forwardedFor);
        for (int i = hops.size() - 1; i >= 0 && isTrusted(current); i--) {
            InetAddress next = IpRange.literal(hostOf(hops.get(i)));
            if (next == null) {
                break;
            }
            current = next;
        }
        return current.getHostAddress();
    }

    private boolean isTrusted(InetAddress address) {
        for (IpRange range : trusted) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The items of comma-separated fields, every field's in turn. */
    private static List<String> listItems(List<String> fields) {
        List<String> items = new ArrayList<>();
        for (String field : fields) {
            items.addAll(split(field, ','));
        }
        return items;
    }

    /** The {@code for=} value of each element of the {@code Forwarded} fields; "" for an element without one. */
    private static List<String> forValues(List<String> fields) {
        List<String> values = new ArrayList<>();
        for (String element : listItems(fields)) {
            String value = "";
            for (String pair : split(element, ';')) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).strip().equalsIgnoreCase("for")) {
                    value = pair.substring(equals + 1);
                }
            }
            values.add(value);
        }
        return values;
    }

    /** Splits at a separator outside double quotes. */
    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    /** The address of a node: quotes, brackets and a port taken off ({@code "[2001:db8::1]:4711"}, {@code 192.0.2.1:80}). */
    private static String hostOf(String node) {
        String host = node.strip();
        if (host.length() >= 2 && host.startsWith("\"") && host.endsWith("\"")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(1, end);
        }
        int colon = host.indexOf(':');
        return colon >= 0 && colon == host.lastIndexOf(':') ? host.substring(0, colon) : host;
    }

    private static String withoutBrackets(String address) {
        return address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    }
}
