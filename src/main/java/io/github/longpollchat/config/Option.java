package io.github.longpollchat.config;

import java.util.List;

/**
 * One setting of the server: its flag name, environment variable, default and allowed range, all
 * in one place. The same option is read from command-line flags (the jar), environment variables
 * (both) and context init-parameters (the WAR), so each rule is written once.
 */
public enum Option {
    PORT("port", 8080, 0, 65535, "port to listen on; 0 takes a free port (jar only)"),
    HOST("host", "0.0.0.0", "address to bind (jar only)"),
    POLL_TIMEOUT("poll-timeout", 30, 1, 60, "seconds a poll is parked at most, and the default timeout"),
    CLIENT_TTL("client-ttl", 60, 1, 3600, "seconds without a request or parked poll before a client expires"),
    HISTORY("history", 100, 0, 10000, "events kept per room, returned by /join"),
    MAILBOX("mailbox", 1000, 1, 100000, "events waiting for one client; one more evicts it"),
    MAX_CLIENTS("max-clients", 20000, 1, 1000000, "live clients at most"),
    MAX_CLIENTS_PER_ADDRESS("max-clients-per-address", 0, 0, 1000000,
            "live clients joined from one address at most; 0 is no cap (many users may share one address)"),
    MAX_ROOMS("max-rooms", 10000, 1, 1000000, "rooms held at most"),
    ROOM_TTL("room-ttl", 3600, 1, 604800, "seconds an empty, quiet room is kept"),
    MAX_TEXT("max-text", 2000, 1, 100000, "code points per message"),
    RATE_LIMIT("rate-limit", 20, 0, 10000, "messages a client may send in any 10 s window; 0 turns it off"),
    PRESENCE_LIMIT("presence-limit", 100, 1, 100000, "members above which a room is big: joins and leaves summed up"),
    THREADS("threads", 16, 8, 10000, "request threads at most; no waiting request holds one (jar only)"),
    REDIS("redis", Kind.REDIS_URI, "", "keep the chat in this Redis, shared by every node given the same one; none: in memory"),
    ALLOWED_HOSTS("allowed-hosts", Kind.HOSTS, "", "Host names served, comma-separated (the port not compared); others get 421; none: any"),
    TRUSTED_PROXIES("trusted-proxies", Kind.RANGES, "",
            "proxies whose X-Forwarded-For or Forwarded names the client's address: IPs and CIDR ranges, comma-separated; none: no one's"),
    ACCESS_LOG("access-log", Kind.FILE, "", "write an access log, clientId redacted, to this file (- for standard output); none: off (jar only)"),
    ADMIN_PORT("admin-port", 0, 65535, "serve /metrics, /healthz and /readyz on this port only; 0 takes a free port; none: not served (jar only)"),
    ADMIN_ALLOW("admin-allow", Kind.ADMIN_CALLERS, "loopback",
            "who may read /metrics, /healthz, /readyz: loopback (the jar binds the admin port to 127.0.0.1) or any"),
    TLS_KEYSTORE("tls-keystore", Kind.FILE, "", "serve HTTPS (HTTP/2 and HTTP/1.1) on the port with this PKCS12 keystore's key and certificate; none: plain HTTP (jar only)"),
    TLS_PASSWORD("tls-password", Kind.SECRET, "", "the tls-keystore's password, from the environment only: a flag would show in ps (jar only)");

    /**
     * The options that only the jar reads: a container decides its own host, ports, threads and
     * TLS, and keeps its own access log; the WAR serves the admin endpoints under its own base.
     */
    public static final List<Option> JAR_ONLY = List.of(PORT, HOST, THREADS, ACCESS_LOG, ADMIN_PORT, TLS_KEYSTORE, TLS_PASSWORD);
    /** The number of an option that may be left out (none), when it is: see {@link #ADMIN_PORT}. */
    public static final int NONE = -1;

    private final String flag;
    private final String defaultText;
    private final long min;
    private final long max;
    private final Kind kind;
    private final String help;

    /** What shape a value has, and so how it is checked. */
    private enum Kind {
        /** A whole number within the option's range. */
        NUMBER("N"),
        /** Empty (off, read as {@link Option#NONE}), or a whole number within the option's range. */
        NUMBER_OR_NONE("N"),
        /** {@code loopback} or {@code any}. */
        ADMIN_CALLERS("WHO"),
        /** Any text but the empty one: an address. */
        ADDRESS("ADDR"),
        /** Empty (off), or a {@code redis://[user:password@]host:port[/db]} URI: see {@link RedisUri}. */
        REDIS_URI("URI"),
        /** Empty (off), {@code -} (standard output), or a file's path. */
        FILE("FILE"),
        /** Empty (any), or host names and IP addresses, comma-separated: see {@link HostNames}. */
        HOSTS("NAMES"),
        /** Empty (none), or IP addresses and CIDR ranges, comma-separated: see {@link IpRange}. */
        RANGES("ADDRS"),
        /** Any text, a password: read from the environment only, as a flag would show in {@code ps}. */
        SECRET("TEXT");

        final String placeholder;

        Kind(String placeholder) {
            this.placeholder = placeholder;
        }
    }

    Option(String flag, long defaultValue, long min, long max, String help) {
        this.flag = flag;
        this.defaultText = Long.toString(defaultValue);
        this.min = min;
        this.max = max;
        this.kind = Kind.NUMBER;
        this.help = help;
    }

    /** A number that may be left out, and is by default. */
    Option(String flag, long min, long max, String help) {
        this.flag = flag;
        this.defaultText = "";
        this.min = min;
        this.max = max;
        this.kind = Kind.NUMBER_OR_NONE;
        this.help = help;
    }

    Option(String flag, String defaultValue, String help) {
        this(flag, Kind.ADDRESS, defaultValue, help);
    }

    Option(String flag, Kind kind, String defaultValue, String help) {
        this.flag = flag;
        this.defaultText = defaultValue;
        this.min = 0;
        this.max = 0;
        this.kind = kind;
        this.help = help;
    }

    /** The flag's name without dashes, e.g. {@code poll-timeout}; also the WAR's init-parameter. */
    public String flag() {
        return flag;
    }

    /** The environment variable, e.g. {@code CHAT_POLL_TIMEOUT}. */
    public String env() {
        return "CHAT_" + flag.replace('-', '_').toUpperCase(java.util.Locale.ROOT);
    }

    /** Whether the option is read from its environment variable only, never from a flag or init-parameter. */
    public boolean environmentOnly() {
        return kind == Kind.SECRET;
    }

    public String defaultText() {
        return defaultText;
    }

    /** The largest value a numeric option takes. */
    public int max() {
        return (int) max;
    }

    /** One line for {@code --help}. */
    public String usage() {
        String range = kind == Kind.NUMBER || kind == Kind.NUMBER_OR_NONE ? " (" + min + "-" + max + ")" : "";
        String shown = defaultText.isEmpty() ? "none" : defaultText;
        String named = environmentOnly() ? "(no flag)" : "--" + flag + "=" + kind.placeholder;
        return String.format("  %-16s %-18s %s; default %s%s", named, env(), help, shown, range);
    }

    /**
     * Checks a raw value against this option's type and range.
     *
     * @param source where the value came from, for the message: "--port", "CHAT_PORT", …
     * @throws SettingsException naming the source when the value is bad
     */
    Object parse(String raw, String source) {
        if (kind == Kind.REDIS_URI) {
            return RedisUri.check(raw.strip(), source);
        }
        if (kind == Kind.HOSTS) {
            return HostNames.check(raw, source);
        }
        if (kind == Kind.RANGES) {
            return IpRange.check(raw, source);
        }
        if (kind == Kind.SECRET) {
            return raw;
        }
        if (kind == Kind.FILE) {
            return raw.strip();
        }
        if (kind == Kind.ADMIN_CALLERS) {
            String who = raw.strip();
            if (!who.equals("loopback") && !who.equals("any")) {
                throw new SettingsException(source + ": '" + raw + "' is neither loopback nor any");
            }
            return who;
        }
        if (kind == Kind.NUMBER_OR_NONE && raw.isBlank()) {
            return NONE;
        }
        if (kind == Kind.ADDRESS) {
            if (raw.isBlank()) {
                throw new SettingsException(source + ": must not be empty");
            }
            return raw.strip();
        }
        long value;
        try {
            value = Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw new SettingsException(source + ": '" + raw + "' is not a whole number (" + min + "-" + max + ")");
        }
        if (value < min || value > max) {
            throw new SettingsException(source + ": " + value + " is out of range (" + min + "-" + max + ")");
        }
        return (int) value;
    }
}
