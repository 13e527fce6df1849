package io.github.longpollchat.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a Redis on 127.0.0.1 says of the commands it has run: {@code INFO commandstats}, read over
 * a plain socket (one inline command, one bulk reply), so the generator needs no Redis client.
 */
final class RedisStats {
    private static final int TIMEOUT_MILLIS = 5000;

    private RedisStats() {
    }

    /** Command name → calls so far ({@code cmdstat_fcall:calls=12,…} → fcall=12); the INFO calls themselves left out. */
    static Map<String, Long> calls(int port) {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : info(port, "commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                int at = line.indexOf("calls=") + "calls=".length();
                int end = line.indexOf(',', at);
                calls.put(name, Long.parseLong(line.substring(at, end < 0 ? line.length() : end)));
            }
        }
        calls.remove("info");
        return calls;
    }

    /** After minus before, per command, leaving out those that did not run. */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((name, n) -> {
            long d = n - before.getOrDefault(name, 0L);
            if (d > 0) {
                delta.put(name, d);
            }
        });
        return delta;
    }

    private static String info(int port, String section) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(("INFO " + section + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = line(in);
            if (!head.startsWith("$")) {
                throw new IllegalStateException("Redis answered INFO with " + head);
            }
            byte[] body = in.readNBytes(Integer.parseInt(head.substring(1)));
            return new String(body, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read INFO from Redis on port " + port, e);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
