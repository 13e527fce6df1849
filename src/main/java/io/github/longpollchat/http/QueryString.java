package io.github.longpollchat.http;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The query of {@code /get_msg}, read by the protocol's rules: a known parameter that is given
 * twice or does not decode is {@code invalid_<field>}; unknown ones (jQuery's {@code _=} cache
 * buster among them) are ignored.
 */
final class QueryString {
    private QueryString() {
    }

    /** A marker value for a parameter that was given twice or did not decode. */
    private static final Object BAD = new Object();

    static Fields parse(String rawQuery, Field... known) {
        Map<String, Object> values = new HashMap<>();
        Set<String> keys = new HashSet<>();
        for (Field field : known) {
            keys.add(field.key);
        }
        if (rawQuery != null) {
            for (FormEncoding.Pair pair : FormEncoding.parse(rawQuery.getBytes(StandardCharsets.ISO_8859_1))) {
                if (pair.key() == null || !keys.contains(pair.key())) {
                    continue;
                }
                Object value = pair.value() == null ? BAD : pair.value();
                if (values.putIfAbsent(pair.key(), value) != null) {
                    values.put(pair.key(), BAD);
                }
            }
        }
        Map<String, Object> fields = new HashMap<>();
        Set<Field> bad = new HashSet<>();
        for (Field field : known) {
            Object value = values.get(field.key);
            if (value == BAD) {
                bad.add(field);
            } else if (value != null) {
                fields.put(field.key, value);
            }
        }
        return new Fields(fields, bad);
    }
}
