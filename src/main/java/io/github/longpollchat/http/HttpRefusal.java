package io.github.longpollchat.http;

/**
 * A request refused with one of the protocol's error codes: thrown by the servlets' own checks,
 * or made from a hub {@link io.github.longpollchat.hub.Refusal}. An expected outcome, so it carries
 * no stack trace; thrown before any state changes.
 */
final class HttpRefusal extends RuntimeException {
    final ErrorCode code;
    /** For {@link ErrorCode#RATE_LIMITED}: the {@code Retry-After} seconds; else 0. */
    final long retryAfterSeconds;

    HttpRefusal(ErrorCode code, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }
}
