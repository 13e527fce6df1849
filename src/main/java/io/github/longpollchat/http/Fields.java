package io.github.longpollchat.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;

/**
 * The fields of one request, from a form, a JSON object or a query string, read by the
 * protocol's rules: absent, {@code null} and {@code ""} all mean "not given"; a value of the wrong
 * JSON type or with a lone surrogate is {@code invalid_<field>}.
 *
 * <p>Callers check {@link #require} for every required field before reading any value, because
 * {@code missing_field} outranks every {@code invalid_*}.
 */
final class Fields {
    /** Values are Strings (form, query) or JsonNodes (JSON). */
    private final Map<String, Object> values;
    /** Query parameters that were given twice or did not decode: given, but invalid. */
    private final Set<Field> bad;

    Fields(Map<String, Object> values) {
        this(values, Set.of());
    }

    Fields(Map<String, Object> values, Set<Field> bad) {
        this.values = values;
        this.bad = bad;
    }

    static Fields none() {
        return new Fields(Map.of());
    }

    /** @throws HttpRefusal {@code missing_field} naming the first absent one */
    void require(Field... required) {
        for (Field field : required) {
            if (!given(field)) {
                throw ErrorCode.MISSING_FIELD.refusal("The field '" + field.key + "' is required.");
            }
        }
    }

    boolean given(Field field) {
        if (bad.contains(field)) {
            return true;
        }
        Object value = values.get(field.key);
        if (value == null) {
            return false;
        }
        if (value instanceof JsonNode node) {
            return !node.isNull() && !(node.isTextual() && node.textValue().isEmpty());
        }
        return !((String) value).isEmpty();
    }

    /** @return the text of a given field, or null when it was not given */
    String text(Field field) {
        if (!given(field)) {
            return null;
        }
        if (bad.contains(field)) {
            throw field.invalid.refusal("The parameter '" + field.key + "' is given twice or badly encoded.");
        }
        Object value = values.get(field.key);
        String text;
        if (value instanceof JsonNode node) {
            if (!node.isTextual()) {
                throw field.invalid.refusal("The field '" + field.key + "' must be a string.");
            }
            text = node.textValue();
        } else {
            text = (String) value;
        }
        if (hasLoneSurrogate(text)) {
            throw field.invalid.refusal("The field '" + field.key + "' is not valid Unicode.");
        }
        return text;
    }

    /**
     * @return the whole number of a given field in [min, max], or null when it was not given; a
     *     form or query value must be decimal digits, a JSON value a JSON integer
     */
    Long number(Field field, long min, long max) {
        if (!given(field)) {
            return null;
        }
        Object value = bad.contains(field) ? null : values.get(field.key);
        Long number = null;
        if (value instanceof JsonNode node) {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                number = node.longValue();
            }
        } else if (value != null) {
            String text = (String) value;
            // Any run of decimal digits (19-digit cursors and leading zeros included); beyond a long is out of range.
            if (isWholeNumber(text)) {
                try {
                    number = Long.parseLong(text);
                } catch (NumberFormatException outOfRange) {
                    number = null;
                }
            }
        }
        if (number == null || number < min || number > max) {
            throw field.invalid.refusal();
        }
        return number;
    }

    private static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** {@code -?[0-9]+}, checked by a loop (this runs on every poll). */
    private static boolean isWholeNumber(String text) {
        int start = text.startsWith("-") ? 1 : 0;
        if (text.length() == start) {
            return false;
        }
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
