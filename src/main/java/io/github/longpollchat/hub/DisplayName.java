package io.github.longpollchat.hub;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The rule for display names: stripped, in NFC, 1 to {@value #MAX_CODE_POINTS} code points, no control characters (Cc) and
 * no line or paragraph separators. Two names clash when their lower-cased NFC forms are equal.
 */
public final class DisplayName {
    static final int MAX_CODE_POINTS = 32;

    private DisplayName() {
    }

    /**
     * @return the name as it is stored and shown
     * @throws Refusal {@code invalid_name} when the name breaks the rule
     */
    public static String parse(String raw) {
        String name = Normalizer.normalize(raw.strip(), Normalizer.Form.NFC);
        int length = name.codePointCount(0, name.length());
        if (length < 1 || length > MAX_CODE_POINTS) {
            throw Reason.INVALID_NAME.refusal("The name must be 1-" + MAX_CODE_POINTS + " characters.");
        }
        boolean bad = name.codePoints().anyMatch(c ->
                Character.getType(c) == Character.CONTROL || c == 0x2028 || c == 0x2029);
        if (bad) {
            throw Reason.INVALID_NAME.refusal("The name must not contain control characters or line breaks.");
        }
        return name;
    }

    /** The form in which two names are compared for uniqueness within a room. */
    public static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
