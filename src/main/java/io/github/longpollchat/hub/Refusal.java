package io.github.longpollchat.hub;

/**
 * A request refused by a rule of the chat. It is an expected outcome, not a bug, so it carries no
 * stack trace; thrown before any state changes.
 */
public final class Refusal extends RuntimeException {
    private final Reason reason;
    private final long retryAfterSeconds;

    Refusal(Reason reason, String message) {
        this(reason, message, 0);
    }

    private Refusal(Reason reason, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static Refusal rateLimited(long retryAfterSeconds) {
        return new Refusal(Reason.RATE_LIMITED,
                "Too many messages; try again in " + retryAfterSeconds + " s.", retryAfterSeconds);
    }

    public Reason reason() {
        return reason;
    }

    /** For {@link Reason#RATE_LIMITED}: whole seconds, at least 1, until the next send may pass. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
