package io.github.longpollchat.http;

import io.github.longpollchat.config.HostNames;
import java.util.Arrays;
import java.util.Set;

/**
 * The host names this server answers for ({@code allowed-hosts}): a request whose {@code Host}
 * header names another gets {@code 421 host_not_allowed}. It keeps a page on another site, whose
 * name an attacker pointed at this server's address (DNS rebinding), from using the chat with the
 * browser's same-origin rights. Empty, the default, allows any host.
 */
final class AllowedHosts {
    private final Set<String> names;

    private AllowedHosts(Set<String> names) {
        this.names = names;
    }

    /** @param setting the setting's value: normalized names, comma-separated; empty for any */
    static AllowedHosts of(String setting) {
        return new AllowedHosts(setting.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(setting.split(","))));
    }

    /** @param host the request's {@code Host} header, port and all; null when it has none */
    boolean allow(String host) {
        if (names.isEmpty()) {
            return true;
        }
        return host != null && names.contains(HostNames.normalized(withoutPort(host.strip())));
    }

    private static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }
}
