package io.github.longpollchat.hub;

/**
 * A request refused by a protocol rule. It is an expected outcome, not a bug, so it carries no
 * stack trace; thrown before any state changes.
 */
public final class Refusal extends RuntimeException {
    private final ChatError error;
    private final long retryAfterSeconds;

    Refusal(ChatError error, String message) {
        this(error, message, 0);
    }

    private Refusal(ChatError error, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static Refusal rateLimited(long retryAfterSeconds) {
        return new Refusal(ChatError.RATE_LIMITED,
                "Too many messages; try again in " + retryAfterSeconds + " s.", retryAfterSeconds);
    }

    public ChatError error() {
        return error;
    }

    /** For {@link ChatError#RATE_LIMITED}: whole seconds, at least 1, until the next send may pass. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
