package io.github.longpollchat.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One keep-alive HTTP/1.1 connection from a chosen local address, one request at a time, as a
 * browser tab's connection: it connects with its first request, and again after the server
 * closed it. Reads responses with a {@code Content-Length}, chunked, or ended by the close.
 *
 * <p>Threading: engine thread only (see {@link HttpEngine}).
 */
final class Conn {
    /** What to do with a response; called on the engine thread, which it must not block. */
    interface Handler {
        void onResponse(HttpResponse response);

        /** @param kind a short description for the error table, e.g. "timeout" */
        void onFailure(String kind);
    }

    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

    private final HttpEngine engine;
    final InetSocketAddress local;
    final InetSocketAddress remote;
    private SocketChannel channel;
    private SelectionKey key;
    private boolean connecting;

    private byte[] request;
    private Handler handler;
    private boolean retryable;
    private boolean retried;
    private long timeoutNanos;
    private long deadline;
    private ByteBuffer out;

    private byte[] in = new byte[4096];
    private int inLength;
    private int headerLength = -1;
    private int status;
    private List<String[]> headers;
    private long contentLength;
    private boolean chunked;
    private boolean closeAfter;
    private int served;
    /** Times the server closed this connection while it was idle; the next request reconnected. */
    int reconnects;

    Conn(HttpEngine engine, InetSocketAddress local, InetSocketAddress remote) {
        this.engine = engine;
        this.local = local;
        this.remote = remote;
    }

    boolean busy() {
        return handler != null;
    }

    /**
     * Sends one request and calls {@code handler} once with its response or failure.
     *
     * @param retryable whether it may be sent again, once, when a kept-alive connection turns out
     *     to have been closed by the server before any byte of the answer came back
     */
    void send(byte[] bytes, long timeoutNanos, boolean retryable, Handler handler) {
        if (this.handler != null) {
            throw new IllegalStateException("one request at a time on a connection");
        }
        this.request = bytes;
        this.handler = handler;
        this.retryable = retryable;
        this.retried = false;
        this.timeoutNanos = timeoutNanos;
        start();
    }

    private void start() {
        deadline = System.nanoTime() + timeoutNanos;
        resetResponse();
        out = ByteBuffer.wrap(request);
        if (channel == null) {
            open();
        } else {
            flush();
        }
    }

    private void open() {
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.bind(local);
            if (channel.connect(remote)) {
                key = channel.register(engine.selector(), 0, this);
                flush();
            } else {
                connecting = true;
                key = channel.register(engine.selector(), SelectionKey.OP_CONNECT, this);
            }
        } catch (IOException e) {
            fail("connect: " + describe(e));
        }
    }

    void ready(SelectionKey selected) {
        try {
            if (!selected.isValid()) {
                return;
            }
            if (connecting) {
                if (selected.isConnectable()) {
                    channel.finishConnect();
                    connecting = false;
                    flush();
                }
                return;
            }
            if (selected.isWritable()) {
                flush();
            }
            if (selected.isValid() && selected.isReadable()) {
                read();
            }
        } catch (IOException e) {
            ioFailure(e);
        }
    }

    private void flush() {
        try {
            if (out != null) {
                channel.write(out);
                if (out.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
                    return;
                }
                out = null;
            }
            key.interestOps(SelectionKey.OP_READ);
        } catch (IOException e) {
            ioFailure(e);
        }
    }

    private void ioFailure(IOException e) {
        if (connecting) {
            fail("connect: " + describe(e));
        } else {
            closedByServer(describe(e));
        }
    }

    private void read() throws IOException {
        ByteBuffer scratch = engine.scratch;
        while (true) {
            scratch.clear();
            int n = channel.read(scratch);
            if (n < 0) {
                if (handler != null && headerLength >= 0 && contentLength < 0 && !chunked) {
                    complete(inLength);
                    close();
                } else {
                    closedByServer("closed by server");
                }
                return;
            }
            if (n == 0) {
                return;
            }
            if (handler == null) {
                close();
                return;
            }
            scratch.flip();
            if (inLength + n > in.length) {
                in = Arrays.copyOf(in, Math.max(in.length * 2, inLength + n));
            }
            scratch.get(in, inLength, n);
            inLength += n;
            if (parse()) {
                return;
            }
            if (n < scratch.capacity()) {
                return;
            }
        }
    }

    /** The server closed or reset the connection: idle (reconnect on the next request), or mid-request. */
    private void closedByServer(String why) {
        boolean stale = handler != null && inLength == 0 && served > 0 && retryable && !retried;
        close();
        if (handler == null) {
            reconnects++;
        } else if (stale) {
            reconnects++;
            retried = true;
            start();
        } else {
            fail(why);
        }
    }

    /** @return true when a whole response was taken */
    private boolean parse() {
        if (headerLength < 0) {
            int end = indexOf(in, inLength, HEADER_END);
            if (end < 0) {
                return false;
            }
            headerLength = end + 4;
            parseHead(end);
        }
        int bodyBytes = inLength - headerLength;
        if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
            complete(headerLength);
            return true;
        }
        if (contentLength >= 0) {
            if (bodyBytes >= contentLength) {
                complete(headerLength + (int) contentLength);
                return true;
            }
            return false;
        }
        if (chunked) {
            byte[] body = Chunked.decode(in, headerLength, inLength);
            if (body != null) {
                deliver(body);
                return true;
            }
        }
        return false;
    }

    /**
     * Reads the status line and header fields of {@code in[0, end)}. A scan of the bytes, not
     * {@code String.split}: with a regex split per line the generator spent a third of its CPU
     * here, CPU taken from the server it measures on the same cores.
     */
    private void parseHead(int end) {
        int lineEnd = lineEnd(0, end);
        int firstSpace = indexOf(in, 0, lineEnd, (byte) ' ');
        int secondSpace = indexOf(in, firstSpace + 1, lineEnd, (byte) ' ');
        status = Integer.parseInt(latin1(firstSpace + 1, secondSpace < 0 ? lineEnd : secondSpace));
        headers = new ArrayList<>(8);
        contentLength = -1;
        for (int line = lineEnd + 2; line < end; line = lineEnd + 2) {
            lineEnd = lineEnd(line, end);
            int colon = indexOf(in, line, lineEnd, (byte) ':');
            if (colon <= line) {
                continue;
            }
            String name = latin1(line, colon).trim().toLowerCase(java.util.Locale.ROOT);
            String value = latin1(colon + 1, lineEnd).trim();
            headers.add(new String[] {name, value});
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
                case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                default -> {
                }
            }
        }
        if (latin1(0, firstSpace).equals("HTTP/1.0")) {
            closeAfter = true;
        }
    }

    /** @return where the line starting at {@code from} ends (its CR LF), or {@code end} */
    private int lineEnd(int from, int end) {
        int crlf = crlf(in, from, end);
        return crlf < 0 ? end : crlf;
    }

    /** @return the index of the first CR LF in {@code data[from, to)}, or -1 */
    static int crlf(byte[] data, int from, int to) {
        for (int i = from; i + 1 < to; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] bytes, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private String latin1(int from, int to) {
        return new String(in, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private void complete(int end) {
        deliver(Arrays.copyOfRange(in, headerLength, end));
    }

    private void deliver(byte[] body) {
        HttpResponse response = new HttpResponse(status, headers, body);
        Handler done = handler;
        handler = null;
        request = null;
        deadline = 0;
        served++;
        boolean close = closeAfter;
        resetResponse();
        if (close) {
            close();
        }
        done.onResponse(response);
    }

    private void resetResponse() {
        inLength = 0;
        headerLength = -1;
        status = 0;
        headers = null;
        contentLength = -1;
        chunked = false;
        closeAfter = false;
        if (in.length > 65536) {
            in = new byte[4096];
        }
    }

    void checkDeadline(long now) {
        if (handler != null && deadline != 0 && now - deadline > 0) {
            close();
            fail("timeout");
        }
    }

    private void fail(String kind) {
        close();
        Handler failed = handler;
        handler = null;
        request = null;
        deadline = 0;
        if (failed != null) {
            failed.onFailure(kind);
        }
    }

    void close() {
        connecting = false;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // it is closed either way
            }
            channel = null;
            key = null;
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    static int indexOf(byte[] data, int length, byte[] pattern) {
        outer:
        for (int i = 0; i <= length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** {@code Transfer-Encoding: chunked}, decoded once the whole body is there. */
    static final class Chunked {
        private Chunked() {
        }

        /** @return the body, or null while incomplete */
        static byte[] decode(byte[] data, int from, int to) {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            int at = from;
            while (true) {
                int lineEnd = crlf(data, at, to);
                if (lineEnd < 0) {
                    return null;
                }
                String sizeText = new String(data, at, lineEnd - at, StandardCharsets.ISO_8859_1);
                int semicolon = sizeText.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeText : sizeText.substring(0, semicolon)).trim(), 16);
                at = lineEnd + 2;
                if (size == 0) {
                    // Trailers, if any, end with an empty line.
                    while (true) {
                        int end = crlf(data, at, to);
                        if (end < 0) {
                            return null;
                        }
                        if (end == at) {
                            return body.toByteArray();
                        }
                        at = end + 2;
                    }
                }
                if (to - at < size + 2) {
                    return null;
                }
                body.write(data, at, size);
                at += size + 2;
            }
        }
    }
}
