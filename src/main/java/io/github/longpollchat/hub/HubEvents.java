package io.github.longpollchat.hub;

/**
 * What only an engine sees, told as it happens, for whoever counts it (the metrics) without the hub
 * knowing who that is. Calls come from any thread (request threads, the sweep, the Redis client's
 * I/O threads), never under a room's lock: an implementation must be quick and never block.
 */
public interface HubEvents {
    /** Counts nothing: for tests and tools that embed a hub. */
    HubEvents NONE = new HubEvents() {
    };

    /** Events of any type (message, join, leave, presence) were posted to rooms. */
    default void posted(int events) {
    }

    /** Clients were evicted: their mailbox overflowed. */
    default void evicted(int clients) {
    }

    /** Clients expired: no request and no parked poll for the client TTL. */
    default void expired(int clients) {
    }

    /** A call to the store (Redis) ended, answered or not, after this many nanoseconds. */
    default void storeCall(long nanos) {
    }

    /** A connection to the store (Redis) came back after it was lost. */
    default void storeReconnected() {
    }
}
