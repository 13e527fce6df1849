package io.github.longpollchat.launcher;

import io.github.longpollchat.config.CommandLine;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.config.SettingsException;

/**
 * {@code java -jar longpoll-chat.jar [--flag=value ...]}: parses flags over environment over
 * defaults, starts Jetty, prints {@code Listening on …} when ready, and stops gracefully on
 * SIGTERM or Ctrl-C, exiting 0. A bad flag, or a Redis that does not answer at start-up, exits 2
 * with one line naming it.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Settings settings;
        try {
            CommandLine line = CommandLine.parse(args);
            if (line.helpRequested()) {
                System.out.print(CommandLine.usage());
                return;
            }
            settings = Settings.resolve(line.values(), System::getenv);
        } catch (SettingsException e) {
            System.err.println("longpoll-chat: " + e.getMessage());
            System.exit(2);
            return;
        }

        ChatServer server = ChatServer.newServer(settings);
        try {
            server.start();
        } catch (Exception e) {
            SettingsException badSetting = settingIn(e);
            if (badSetting != null) {
                // A setting that only start-up can find bad (a Redis that does not answer): as any bad flag.
                System.err.println("longpoll-chat: " + badSetting.getMessage());
                System.exit(2);
                return;
            }
            System.err.println("longpoll-chat: could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server), "chat-shutdown"));
        System.out.println("Listening on " + server.uri());
        if (server.adminUri() != null) {
            System.out.println("Metrics and health on " + server.adminUri());
        }
        System.out.flush();
    }

    /** The bad setting behind a failed start, however deep Jetty wrapped it, or null. */
    private static SettingsException settingIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SettingsException setting) {
                return setting;
            }
        }
        return null;
    }

    private static void stop(ChatServer server) {
        int status = 0;
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("longpoll-chat: stop failed: " + e.getMessage());
            status = 1;
        }
        System.out.flush();
        // A JVM ended by SIGTERM exits 143 after its hooks; a clean stop is a success, so say 0.
        Runtime.getRuntime().halt(status);
    }
}
