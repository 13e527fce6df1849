package io.github.longpollchat.hub;

/**
 * A live member of a room: its secret id, name, mailbox and send state.
 *
 * <p>Threading: {@link #live}, {@link #rate} and {@link #keys} are guarded by the room's lock;
 * {@link #lastSeen} and {@link #pendingLeave} are volatile, written by any request of the client.
 */
final class Client {
    final String id;
    final String name;
    final String nameKey;
    /** Where it joined from: its place in {@link AddressCounts}. */
    final String address;
    final Room room;
    final Mailbox mailbox;
    final SendRate rate;
    final SentKeys keys = new SentKeys();
    boolean live = true;
    private volatile long lastSeen = System.nanoTime();
    /** Set by {@code /leave} with a grace period; any later request clears it and so cancels the leave. */
    volatile GraceLeave pendingLeave;

    Client(String id, String name, String address, Room room, Mailbox mailbox, int rateLimit) {
        this.id = id;
        this.name = name;
        this.nameKey = DisplayName.key(name);
        this.address = address;
        this.room = room;
        this.mailbox = mailbox;
        this.rate = new SendRate(rateLimit);
    }

    /** A request of this client arrived: it is alive, and a pending grace leave is off. */
    void touch() {
        lastSeen = System.nanoTime();
        GraceLeave pending = pendingLeave;
        if (pending != null) {
            pendingLeave = null;
            pending.cancel();
        }
    }

    /**
     * Its poll was answered: the TTL counts from now. Not a request, so a pending grace leave
     * stands (a closed tab's poll may still be answered during the grace period).
     */
    void pollEnded() {
        lastSeen = System.nanoTime();
    }

    /** Expired: no poll parked and nothing heard for longer than the TTL. */
    boolean idleLongerThan(long ttlNanos, long nowNanos) {
        // The waiter first: a mailbox that hands its poll to a message refreshes lastSeen before
        // letting go of the poll, under its lock, so lastSeen read after is the fresh one.
        return !mailbox.hasWaiter() && nowNanos - lastSeen > ttlNanos;
    }
}
