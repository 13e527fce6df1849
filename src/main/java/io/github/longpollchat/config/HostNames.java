package io.github.longpollchat.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The shape of the {@code allowed-hosts} setting, and the one rule for comparing host names:
 * case-insensitive, a trailing dot dropped, an IPv6 address without its brackets. Names without a
 * port: the port is not compared.
 */
public final class HostNames {
    private static final Pattern NAME =
            Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f.]*:[0-9a-f.]*:[0-9a-f:.]*");

    private HostNames() {
    }

    /** A host name as compared: lower case, no trailing dot, an IPv6 address without brackets. */
    public static String normalized(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.startsWith("[") && n.endsWith("]")) {
            n = n.substring(1, n.length() - 1);
        }
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** @return the names, normalized and comma-separated; empty for none (any host) */
    static String check(String raw, String source) {
        if (raw.isBlank()) {
            return "";
        }
        List<String> names = new ArrayList<>();
        for (String item : raw.split(",", -1)) {
            String name = normalized(item);
            if (name.isEmpty()) {
                throw new SettingsException(source + ": an empty name in the list");
            }
            if (!NAME.matcher(name).matches() && !IPV6.matcher(name).matches()) {
                throw new SettingsException(source + ": '" + item.strip()
                        + "' is not a host name or IP address (give names alone: the port is not compared)");
            }
            names.add(name);
        }
        return String.join(",", names);
    }
}
