package io.github.longpollchat.bench;

import java.util.ArrayDeque;
import java.util.BitSet;

/**
 * One simulated browser tab: its long-poll connection, and for a sender a second connection for
 * its sends (a browser too sends while its poll is parked). Engine thread only.
 */
final class Tab {
    final int index;
    final int room;
    final Conn conn;
    final Conn sendConn;
    /** Sends waiting for {@link #sendConn}: {kind, number, sender, scheduled nanoTime} (see {@code Swarm#sendPlan}). */
    final ArrayDeque<long[]> outbox = new ArrayDeque<>();
    final BitSet seen = new BitSet();

    // chat
    String clientId;
    long cursor = -1;
    long lastId = -1;
    // nchan
    String lastModified;
    String etag;

    boolean joined;
    boolean dead;
    boolean warm;
    int failures;

    Tab(int index, int room, Conn conn, Conn sendConn) {
        this.index = index;
        this.room = room;
        this.conn = conn;
        this.sendConn = sendConn;
    }
}
