package io.github.longpollchat.bench;

import java.util.ArrayDeque;
import java.util.BitSet;

/**
 * One simulated browser tab: its long-poll connection, and for a sender a second connection for
 * its sends (a browser too sends while its poll is parked); each a {@link Lane}, to one node or
 * to several in turn. Engine thread only.
 */
final class Tab {
    final int index;
    final int room;
    final Lane conn;
    final Lane sendConn;
    /** Sends waiting for {@link #sendConn}: {kind, number, sender, scheduled nanoTime} (see {@code Swarm#sendPlan}). */
    final ArrayDeque<long[]> outbox = new ArrayDeque<>();
    final BitSet seen = new BitSet();

    // chat and cometd
    String clientId;
    // chat
    long cursor = -1;
    long lastId = -1;
    // nchan
    String lastModified;
    String etag;
    // cometd
    /** {@code Cookie: BAYEUX_BROWSER=…}, from the handshake: CometD finds the session by it. */
    String cookie;
    /** The id of the tab's last Bayeux message (ids are per client). */
    int messageId;
    /** The advice's interval: how long to wait before the next connect. */
    long intervalMillis;
    /** The advice's timeout: how long the server may hold a connect; -1 until advised. */
    long timeoutMillis = -1;
    /** Its {@code /meta/connect} loop runs. */
    boolean connecting;

    boolean joined;
    boolean dead;
    boolean warm;
    int failures;

    Tab(int index, int room, Lane conn, Lane sendConn) {
        this.index = index;
        this.room = room;
        this.conn = conn;
        this.sendConn = sendConn;
    }
}
