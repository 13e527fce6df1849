package io.github.longpollchat.bench;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A tab's way to the server: one keep-alive {@link Conn}, or, given several nodes of one chat,
 * one keep-alive connection to each, taken in turn, so that each request goes to the next node as
 * a round-robin balancer without sticky sessions sends it. One request at a time, like a
 * {@code Conn}.
 *
 * <p>Threading: engine thread only (see {@link HttpEngine}).
 */
final class Lane {
    private final Conn[] conns;
    private int next;
    private Conn current;

    Lane(HttpEngine engine, InetSocketAddress local, List<InetSocketAddress> nodes) {
        conns = new Conn[nodes.size()];
        for (int i = 0; i < conns.length; i++) {
            conns[i] = engine.newConn(local, nodes.get(i));
        }
        current = conns[0];
    }

    boolean busy() {
        return current.busy();
    }

    /** Sends one request to the next node: see {@link Conn#send}. */
    void send(byte[] bytes, long timeoutNanos, boolean retryable, Conn.Handler handler) {
        current = conns[next];
        next = (next + 1) % conns.length;
        current.send(bytes, timeoutNanos, retryable, handler);
    }

    /** Times a server closed one of these connections while it was idle. */
    int reconnects() {
        int total = 0;
        for (Conn conn : conns) {
            total += conn.reconnects;
        }
        return total;
    }
}
