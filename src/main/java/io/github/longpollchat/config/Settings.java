package io.github.longpollchat.config;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The server's settings, resolved once at start-up. Precedence: flags (or the WAR's context
 * init-parameters) over environment variables over defaults.
 */
public final class Settings {
    private final Map<Option, Object> values;

    private Settings(Map<Option, Object> values) {
        this.values = values;
    }

    /** All defaults; what tests start from. */
    public static Settings defaults() {
        return resolve(Map.of(), name -> null);
    }

    /**
     * Resolves settings from explicit values (already split into option and text) over an
     * environment lookup, over defaults.
     *
     * @param explicit values from flags or init-parameters, keyed by option; each wins over env
     * @param env the environment, e.g. {@code System::getenv}
     * @throws SettingsException naming the flag or variable of the first bad value
     */
    public static Settings resolve(Map<Option, String> explicit, Function<String, String> env) {
        Map<Option, Object> values = new EnumMap<>(Option.class);
        String keystoreSource = null;
        for (Option option : Option.values()) {
            String raw = explicit.get(option);
            String source = "--" + option.flag();
            if (raw == null) {
                raw = env.apply(option.env());
                source = option.env();
            }
            if (raw == null) {
                raw = option.defaultText();
                source = "default of --" + option.flag();
            }
            values.put(option, option.parse(raw, source));
            if (option == Option.TLS_KEYSTORE) {
                keystoreSource = source;
            }
        }
        TlsKeystore.check((String) values.get(Option.TLS_KEYSTORE), (String) values.get(Option.TLS_PASSWORD), keystoreSource);
        return new Settings(values);
    }

    /**
     * A copy with one option changed: how tests and code that embeds the server set an option.
     * The TLS pair is checked together by {@link #resolve} only.
     */
    public Settings with(Option option, Object value) {
        Map<Option, Object> copy = new EnumMap<>(values);
        copy.put(option, option.parse(String.valueOf(value), "--" + option.flag()));
        return new Settings(copy);
    }

    public int get(Option option) {
        return (Integer) values.get(option);
    }

    public String text(Option option) {
        return String.valueOf(values.get(option));
    }
}
