package io.github.longpollchat.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a bare socket, for requests that {@link java.net.http.HttpClient} refuses to
 * send (bad request lines, control bytes in headers, conflicting framing, truncated bodies): the
 * bytes go out exactly as given, and one response is read back and parsed leniently.
 */
final class RawHttp {
    private RawHttp() {
    }

    /** One parsed answer; {@code status} is -1 when the server closed (or reset) without answering. */
    record Response(int status, Map<String, List<String>> headers, byte[] body, String failure) {
        boolean answered() {
            return status > 0;
        }

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
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

    /** ASCII (ISO-8859-1) bytes of a request written as text, {@code \r\n} and all. */
    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /**
     * Sends {@code request} and reads one response.
     *
     * @param halfClose shut down the output after sending (the server then sees the end of the stream)
     * @param headRequest the request was a HEAD: the response has no body whatever its headers say
     */
    static Response exchange(int port, byte[] request, boolean halfClose, boolean headRequest, int timeoutMillis)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(timeoutMillis);
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

    private static Response read(InputStream in, boolean headRequest, String writeFailure) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return noAnswer(head, "closed" + (writeFailure == null ? "" : " after " + writeFailure));
                }
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
        } catch (SocketTimeoutException e) {
            return noAnswer(head, "timed out");
        } catch (IOException e) {
            return noAnswer(head, e.toString());
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            return noAnswer(head, "not an HTTP status line: " + lines[0]);
        }
        int status = Integer.parseInt(statusLine[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).strip());
            }
        }
        byte[] body;
        List<String> length = headers.get("content-length");
        List<String> coding = headers.get("transfer-encoding");
        try {
            if (headRequest || status == 204 || status == 304) {
                body = new byte[0];
            } else if (coding != null && coding.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
                body = chunked(in);
            } else if (length != null) {
                body = in.readNBytes(Integer.parseInt(length.get(0)));
            } else {
                body = in.readAllBytes();
            }
        } catch (SocketTimeoutException e) {
            body = "<<body timed out>>".getBytes(StandardCharsets.US_ASCII);
        }
        return new Response(status, headers, body, null);
    }

    private static byte[] chunked(InputStream in) throws IOException {
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
