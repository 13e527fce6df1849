package io.github.longpollchat.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * One selector thread driving many HTTP/1.1 connections ({@link Conn}). Everything that touches
 * a connection, and every callback, runs on this thread, so the code above it needs no locks;
 * other threads hand it work with {@link #execute}. It also runs timers ({@link #at}) and times
 * out requests that take too long.
 *
 * <p>Why not the JDK's {@code HttpClient}: it cannot bind a local address, and spreading
 * connections over 127.0.0.2, 127.0.0.3, … is what lets one machine open tens of thousands of them.
 */
final class HttpEngine implements AutoCloseable {
    private static final long SCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timed> timers = new PriorityQueue<>();
    private final List<Conn> conns = new ArrayList<>();
    final ByteBuffer scratch = ByteBuffer.allocateDirect(256 * 1024);
    private volatile boolean running = true;
    private long timerSeq;

    private record Timed(long at, long seq, Runnable task) implements Comparable<Timed> {
        @Override
        public int compareTo(Timed o) {
            int c = Long.compare(at - o.at, 0);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    HttpEngine(String name) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    /** Runs {@code task} on the engine's thread. */
    void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread) {
            selector.wakeup();
        }
    }

    /** Runs {@code task} on the engine's thread at {@code nanoTime}; call from the engine's thread. */
    void at(long nanoTime, Runnable task) {
        timers.add(new Timed(nanoTime, timerSeq++, task));
    }

    /** A new connection, not yet open: it connects with its first request. Engine thread only. */
    Conn newConn(InetSocketAddress local, InetSocketAddress remote) {
        Conn conn = new Conn(this, local, remote);
        conns.add(conn);
        return conn;
    }

    private void loop() {
        long nextScan = System.nanoTime() + SCAN_NANOS;
        while (running) {
            long now = System.nanoTime();
            long waitMillis = 100;
            Timed first = timers.peek();
            if (first != null) {
                waitMillis = Math.max(0, Math.min(waitMillis, (first.at - now) / 1_000_000));
            }
            if (!tasks.isEmpty()) {
                waitMillis = 0;
            }
            try {
                if (waitMillis == 0) {
                    selector.selectNow(key -> ((Conn) key.attachment()).ready(key));
                } else {
                    selector.select(key -> ((Conn) key.attachment()).ready(key), waitMillis);
                }
            } catch (IOException e) {
                System.err.println("selector failed: " + e);
                return;
            }
            Runnable task;
            while ((task = tasks.poll()) != null) {
                runSafely(task);
            }
            now = System.nanoTime();
            while ((first = timers.peek()) != null && first.at - now <= 0) {
                timers.poll();
                runSafely(first.task);
            }
            if (now - nextScan >= 0) {
                nextScan = now + SCAN_NANOS;
                for (int i = 0; i < conns.size(); i++) {
                    conns.get(i).checkDeadline(now);
                }
            }
        }
        for (Conn conn : conns) {
            conn.close();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            System.err.println("load generator task failed: " + e);
            e.printStackTrace();
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
