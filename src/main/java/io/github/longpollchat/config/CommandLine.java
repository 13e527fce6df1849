package io.github.longpollchat.config;

import java.util.EnumMap;
import java.util.Map;

/** Parses {@code --name=value} and {@code --name value} flags into option values. */
public final class CommandLine {
    private final Map<Option, String> values = new EnumMap<>(Option.class);
    private boolean help;

    private CommandLine() {
    }

    /**
     * @throws SettingsException for an unknown flag, a flag given twice or one without a value
     */
    public static CommandLine parse(String... args) {
        CommandLine line = new CommandLine();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                line.help = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new SettingsException(arg + ": unexpected argument (flags are --name=value; see --help)");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option option = byFlag(name);
            if (option.environmentOnly()) {
                throw new SettingsException("--" + name + ": not a flag, since a flag shows in ps; set " + option.env() + " instead");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new SettingsException("--" + name + ": needs a value");
                }
                value = args[++i];
            }
            if (line.values.put(option, value) != null) {
                throw new SettingsException("--" + name + ": given twice");
            }
        }
        return line;
    }

    private static Option byFlag(String name) {
        for (Option option : Option.values()) {
            if (option.flag().equals(name)) {
                return option;
            }
        }
        throw new SettingsException("--" + name + ": unknown flag (see --help)");
    }

    public boolean helpRequested() {
        return help;
    }

    public Map<Option, String> values() {
        return values;
    }

    /** The text of {@code --help}. */
    public static String usage() {
        StringBuilder out = new StringBuilder("Usage: java -jar longpoll-chat.jar [--flag=value ...]\n"
                + "Flags win over environment variables, which win over defaults.\n\n");
        for (Option option : Option.values()) {
            out.append(option.usage()).append('\n');
        }
        return out.toString();
    }
}
