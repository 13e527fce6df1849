package io.github.longpollchat.hub;

import java.util.concurrent.CompletionStage;

/**
 * The chat as the servlets see it: join, send, poll and leave, and the rules behind them. Two
 * engines implement it: {@link MemoryHub}, the chat in this process (the default), and
 * {@code hub.redis.RedisHub}, the chat in Redis shared by every node given the same one. Nothing
 * outside the engines knows which one runs.
 *
 * <p>Every call answers with a stage: the memory engine's are complete when the call returns; the
 * Redis engine's complete when Redis has answered, on one of its client's threads, so that no
 * request thread waits for the network. A stage fails with a {@link Refusal} when a rule (or an
 * unreachable store) refuses the request; then nothing changed. Whoever consumes a stage must not
 * block.
 */
public interface Hub extends AutoCloseable {
    /** The longest a poll is parked, in seconds, and the default {@code timeout}. */
    int pollTimeoutSeconds();

    /** Code points a message's text may have. */
    int maxText();

    boolean isShuttingDown();

    /**
     * Joins a new client to a room, or resumes a live one.
     *
     * @param name an already valid display name ({@link DisplayName#parse})
     * @param room an already valid room name
     * @param clientId the client to resume, or null
     * @param address the address the client joins from, counted against
     *     {@code max-clients-per-address}; one address has one spelling
     * @return fails with {@code name_taken}, {@code too_many_clients}, {@code server_full} or
     *     {@code store_unavailable}
     */
    CompletionStage<JoinResult> join(String name, String room, String clientId, String address);

    /**
     * Posts a message to the client's room.
     *
     * @param text already valid text ({@link MessageText#parse})
     * @param msgId the idempotency key, or null
     * @return the message's id (the first send's, for a repeated {@code msgId}); fails with
     *     {@code unknown_client}, {@code rate_limited} or {@code store_unavailable}
     */
    CompletionStage<Long> send(String clientId, String text, String msgId);

    /**
     * Polls a client's mailbox: answers at once when it holds messages (or when
     * {@code timeoutSeconds} is 0), else parks the poll, holding no thread, until a message, the
     * timeout, a newer poll of the client, its end or shutdown answers it.
     *
     * @param cursor the last id the client processed, or -1 for none
     * @param timeoutSeconds 0 to {@link #pollTimeoutSeconds()}
     * @return completes with the answer, a {@link PollResult#gone()} one when the client ended
     *     while the poll was parked; fails with {@code unknown_client} or {@code store_unavailable}
     */
    CompletionStage<PollResult> poll(String clientId, long cursor, int timeoutSeconds);

    /**
     * Ends a client at once ({@code graceSeconds} 0), or after a grace period unless a request of
     * it arrives first. An unknown client is ignored.
     */
    CompletionStage<Void> leave(String clientId, int graceSeconds);

    /**
     * Starts shutting down: parked polls are answered at once with an empty answer, so that
     * clients re-poll promptly, and new requests are refused with {@code shutting_down}.
     */
    void shutdown();

    /** Shuts down, then lets go of the engine's threads and connections. */
    @Override
    void close();

    /** Counts for tests, checks and benchmarks. */
    Stats stats();

    /**
     * The counts for the metrics and the readiness check, without blocking: the memory engine's
     * at once; the Redis engine's when Redis answers (the whole chat's clients and rooms, this
     * node's parked polls), failing with {@code store_unavailable} when it cannot be reached.
     */
    CompletionStage<Stats> measure();

    /** A snapshot of the hub's size: live clients, rooms, parked polls, events queued, grace leaves pending. */
    record Stats(int clients, int rooms, int parkedPolls, int queuedEvents, int pendingLeaves) {
    }
}
