package io.github.longpollchat.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written and read by hand over a bare socket, for what {@link java.net.http.HttpClient}
 * will not send (bad request lines and percent-escapes, control bytes in headers, conflicting
 * framing, truncated or oversized bodies), for keeping a connection open or dropping an answer on
 * the floor. The bytes go out exactly as given.
 *
 * <p>Two kinds of exchange, over one parser of answers:
 * <ul>
 *   <li>{@link #exchange} and its kin, against a base URL (paths relative to it, context path and
 *       all): the answer must come, and comes as a {@link Reply}; anything else throws.</li>
 *   <li>{@link #tryExchange}, for hostile requests: no answer at all (a close, a reset, a timeout)
 *       is an outcome too, and the answer comes as a {@link Response}, its body as bytes.</li>
 * </ul>
 */
public final class RawHttp {
    private static final int SOCKET_TIMEOUT_MILLIS = 30_000;

    private RawHttp() {
    }

    /**
     * One answer as read off the wire: header names in lower case, the body as bytes. {@code status}
     * is -1 when the server closed (or reset, or timed out) without answering; {@code failure}
     * then says why. On an answer, {@code failure} is null, or names a header line with no colon.
     */
    public record Response(int status, Map<String, List<String>> headers, byte[] body, String failure) {
        public boolean answered() {
            return status > 0;
        }

        /** The first value of a header, or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The answer as a test of the protocol takes it; throws when there was no well-formed answer. */
        public Reply toReply() {
            if (!answered() || failure != null) {
                throw new IllegalStateException("not a whole HTTP answer: " + (answered() ? failure : toString()));
            }
            return new Reply(status, HttpHeaders.of(headers, (k, v) -> true), bodyText());
        }

        private boolean chunked() {
            List<String> coding = headers.get("transfer-encoding");
            return coding != null && coding.get(0).toLowerCase(Locale.ROOT).contains("chunked");
        }

        private Response withBody(byte[] body) {
            return new Response(status, headers, body, failure);
        }

        @Override
        public String toString() {
            if (!answered()) {
                return "no answer (" + failure + ")";
            }
            String text = bodyText();
            return status + " " + headers + " " + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
        }
    }

    // ---- writing requests ----

    /** ASCII (ISO-8859-1) bytes of a request written as text, {@code \r\n} and all. */
    public static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** The bytes of a request with {@code Connection: close}; a null body sends no Content-Length. */
    public static byte[] request(URI base, String method, String relative, List<String> headers, byte[] body) {
        return request(base, method, relative, headers, body, true);
    }

    /** The bytes of a request, closing the connection after it or keeping it open. */
    public static byte[] request(URI base, String method, String relative, List<String> headers, byte[] body,
            boolean close) {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(base.getRawPath()).append(relative).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append(close ? "Connection: close\r\n\r\n" : "\r\n");
        return body == null ? bytes(head.toString()) : concat(bytes(head.toString()), body);
    }

    /** A body in chunks of 8 KiB, with its last chunk. */
    public static byte[] chunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += 8192) {
            int length = Math.min(8192, body.length - at);
            out.writeBytes(bytes(Integer.toHexString(length) + "\r\n"));
            out.write(body, at, length);
            out.writeBytes(bytes("\r\n"));
        }
        out.writeBytes(bytes("0\r\n\r\n"));
        return out.toByteArray();
    }

    // ---- connections ----

    /** A connection to the base URL's host and port, reads timing out after 30 s. */
    public static Socket open(URI base) throws IOException {
        return connect(base.getHost(), base.getPort(), 10_000, SOCKET_TIMEOUT_MILLIS);
    }

    /** A connection to this port of 127.0.0.1, reads timing out after {@code timeoutMillis}. */
    public static Socket open(int port, int timeoutMillis) throws IOException {
        return connect("127.0.0.1", port, 5000, timeoutMillis);
    }

    private static Socket connect(String host, int port, int connectMillis, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), connectMillis);
            socket.setSoTimeout(timeoutMillis);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    // ---- exchanges that must be answered ----

    /** Sends a request and reads the whole answer (the server closes the connection after it). */
    public static Reply exchange(URI base, byte[] request) {
        try (Socket socket = open(base)) {
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            return parse(socket.getInputStream().readAllBytes()).toReply();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends a request whose body the server may refuse before reading it all (413, 405): the
     * body is written by another thread, whose failure once the server stops reading is
     * expected, while this one reads the answer. Only a whole answer counts.
     */
    public static Reply exchangeWhileWriting(URI base, byte[] request) {
        try (Socket socket = open(base)) {
            OutputStream out = socket.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    for (int at = 0; at < request.length; at += 4096) {
                        out.write(request, at, Math.min(4096, request.length - at));
                    }
                    out.flush();
                } catch (IOException refusedMidway) {
                    // The server answered early and closed: that is allowed.
                }
            }, "raw-body-writer");
            writer.setDaemon(true);
            writer.start();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    received.write(buffer, 0, n);
                }
            } catch (IOException reset) {
                if (received.size() == 0) {
                    throw reset;
                }
            }
            writer.join(10_000);
            return parse(received.toByteArray()).toReply();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a request, reads its answer and throws it away: a response lost on its way. */
    public static void exchangeAndDiscard(URI base, byte[] request) {
        try (Socket socket = open(base)) {
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            while (in.read(buffer) >= 0) {
                // discarded
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends a request on an open (kept-alive) connection and reads exactly one answer, as long as
     * its Content-Length (or its chunks) say.
     */
    public static Reply exchangeOn(Socket socket, byte[] request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        return read(socket.getInputStream(), false).toReply();
    }

    // ---- an exchange that may go unanswered ----

    /**
     * Sends {@code request} to this port of 127.0.0.1 and reads one response, or what became of it.
     *
     * @param halfClose shut down the output after sending (the server then sees the end of the stream)
     * @param headRequest the request was a HEAD: the response has no body whatever its headers say
     */
    public static Response tryExchange(int port, byte[] request, boolean halfClose, boolean headRequest,
            int timeoutMillis) throws IOException {
        try (Socket socket = open(port, timeoutMillis)) {
            OutputStream out = socket.getOutputStream();
            String writeFailure = null;
            try {
                out.write(request);
                out.flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                // The server may answer (413, 431) and close before it has read everything; read what it said.
                writeFailure = "write: " + e;
            }
            return read(socket.getInputStream(), headRequest, writeFailure);
        }
    }

    // ---- reading answers ----

    /**
     * Reads one answer off a connection, and no more: its body is as long as its Content-Length or
     * its chunks say (none after a HEAD, a 204 or a 304), else it runs to the close. A close, reset
     * or timeout before a whole head is no answer; a timeout within the body is noted in the body.
     *
     * @param headRequest the request was a HEAD: the response has no body whatever its headers say
     */
    public static Response read(InputStream in, boolean headRequest) throws IOException {
        return read(in, headRequest, null);
    }

    private static Response read(InputStream in, boolean headRequest, String writeFailure) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            if (!readHead(in, head)) {
                return noAnswer(head, "closed" + (writeFailure == null ? "" : " after " + writeFailure));
            }
        } catch (SocketTimeoutException e) {
            return noAnswer(head, "timed out");
        } catch (IOException e) {
            return noAnswer(head, e.toString());
        }
        Response response = parseHead(head);
        if (!response.answered()) {
            return response;
        }
        byte[] body;
        try {
            if (headRequest || response.status() == 204 || response.status() == 304) {
                body = new byte[0];
            } else if (response.chunked()) {
                body = dechunk(in);
            } else if (response.header("Content-Length") != null) {
                body = in.readNBytes(Integer.parseInt(response.header("Content-Length")));
            } else {
                body = in.readAllBytes();
            }
        } catch (SocketTimeoutException e) {
            body = "<<body timed out>>".getBytes(StandardCharsets.US_ASCII);
        }
        return response.withBody(body);
    }

    /**
     * A whole answer, received up to the close of the connection: everything after its head is its
     * body (undone from chunks when chunked), so that nothing the server sent goes unseen.
     */
    public static Response parse(byte[] whole) {
        try {
            InputStream in = new ByteArrayInputStream(whole);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            if (!readHead(in, head)) {
                return noAnswer(head, "no complete HTTP head");
            }
            Response response = parseHead(head);
            if (!response.answered()) {
                return response;
            }
            byte[] body = in.readAllBytes();
            return response.withBody(response.chunked() ? dechunk(new ByteArrayInputStream(body)) : body);
        } catch (IOException cannotHappen) {
            throw new UncheckedIOException(cannotHappen);
        }
    }

    /** Copies the head, up to and including its blank line, into {@code head}; false at an early end. */
    private static boolean readHead(InputStream in, ByteArrayOutputStream head) throws IOException {
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return true;
    }

    /** Status line and headers, with no body yet; no answer when the status line is not HTTP's. */
    private static Response parseHead(ByteArrayOutputStream head) {
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            return noAnswer(head, "not an HTTP status line: " + lines[0]);
        }
        int status = Integer.parseInt(statusLine[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String malformed = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).strip());
            } else if (colon < 0 && malformed == null) {
                malformed = "a header line with no colon: " + lines[i];
            }
        }
        return new Response(status, headers, new byte[0], malformed);
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(in);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
            if (size == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.writeBytes(in.readNBytes(size));
            line(in);
        }
    }

    /** One line without its CR LF; at the end of the stream, what there was of it. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static Response noAnswer(ByteArrayOutputStream partial, String why) {
        String got = partial.size() == 0 ? "" : ", partial: " + partial.toString(StandardCharsets.ISO_8859_1);
        return new Response(-1, Map.of(), new byte[0], why + got);
    }
}
