package io.github.longpollchat.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict {@code application/x-www-form-urlencoded} decoding, used for form bodies and query
 * strings alike. Containers are lenient here (Tomcat drops a pair it cannot decode), so the
 * protocol's rules need decoding of our own: bad percent-encoding and invalid UTF-8 are reported,
 * never replaced.
 */
final class FormEncoding {
    /** One {@code key=value} pair; a part that did not decode is null. */
    record Pair(String key, String value) {
    }

    private FormEncoding() {
    }

    static List<Pair> parse(byte[] encoded) {
        List<Pair> pairs = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= encoded.length; i++) {
            if (i == encoded.length || encoded[i] == '&') {
                if (i > start) {
                    pairs.add(pair(encoded, start, i));
                }
                start = i + 1;
            }
        }
        return pairs;
    }

    private static Pair pair(byte[] encoded, int from, int to) {
        int eq = from;
        while (eq < to && encoded[eq] != '=') {
            eq++;
        }
        String key = decode(encoded, from, eq);
        String value = eq < to ? decode(encoded, eq + 1, to) : "";
        return new Pair(key, value);
    }

    /** @return the decoded text, or null when the percent-encoding or the UTF-8 is bad */
    static String decode(byte[] encoded, int from, int to) {
        if (isPlainAscii(encoded, from, to)) {
            // Nothing to unescape and every byte is ASCII, hence valid UTF-8: the common case
            // (every poll's query), without a buffer and a decoder per value.
            return new String(encoded, from, to - from, StandardCharsets.US_ASCII);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte b = encoded[i];
            if (b == '+') {
                bytes.write(' ');
            } else if (b == '%') {
                if (i + 2 >= to) {
                    return null;
                }
                int hi = Character.digit(encoded[i + 1], 16);
                int lo = Character.digit(encoded[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                bytes.write(b);
            }
        }
        return strictUtf8(bytes.toByteArray());
    }

    private static boolean isPlainAscii(byte[] encoded, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = encoded[i];
            if (b < 0 || b == '%' || b == '+') {
                return false;
            }
        }
        return true;
    }

    /** @return the text, or null when the bytes are not valid UTF-8 */
    static String strictUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
