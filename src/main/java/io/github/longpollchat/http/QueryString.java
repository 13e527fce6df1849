package io.github.longpollchat.http;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
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

    static Fields parse(String rawQuery, Field... known) {
        Map<String, Object> fields = new HashMap<>(4);
        Set<Field> bad = EnumSet.noneOf(Field.class);
        if (rawQuery != null) {
            for (FormEncoding.Pair pair : FormEncoding.parse(rawQuery.getBytes(StandardCharsets.ISO_8859_1))) {
                Field field = find(known, pair.key());
                if (field == null || bad.contains(field)) {
                    continue;
                }
                if (pair.value() == null || fields.containsKey(field.key)) {
                    fields.remove(field.key);
                    bad.add(field);
                } else {
                    fields.put(field.key, pair.value());
                }
            }
        }
        return new Fields(fields, bad);
    }

    /** @return the known field named {@code key}, or null (also for a key that did not decode) */
    private static Field find(Field[] known, String key) {
        for (Field field : known) {
            if (field.key.equals(key)) {
                return field;
            }
        }
        return null;
    }
}
