package io.github.longpollchat.config;

/** A setting with a bad value; the message is one line that names the flag or variable. */
public final class SettingsException extends RuntimeException {
    public SettingsException(String message) {
        super(message);
    }
}
