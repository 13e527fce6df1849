package io.github.longpollchat.hub;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The shapes of the short ASCII tokens of the protocol (room names, message keys, client ids) and
 * the making of client ids.
 *
 * <p>A client id is a password, so looking one up must not leak it through timing. A hash-map
 * lookup compares keys with {@code String.equals}, which returns at the first differing
 * character. So the hub keys its map by the id's first {@value #SELECTOR_LENGTH} characters
 * only (the selector) and then compares the whole id in constant time: the lookup's timing can
 * tell at most the selector, and the {@value #SECRET_BITS} random bits after it stay secret (the
 * split-token pattern).
 */
public final class Tokens {
    static final int MAX_ROOM = 32;
    static final int MAX_MSG_ID = 64;
    /** Generous on purpose: any URL-safe token up to 128 characters may name a client. */
    static final int MAX_CLIENT_ID = 128;
    private static final String TOKEN_CHARACTERS = "A-Z, a-z, 0-9, _ and -";
    /** 27 random bytes: 36 base64url characters, 6 random bits each. */
    private static final int CLIENT_ID_BYTES = 27;
    static final int SELECTOR_LENGTH = 12;
    static final int SECRET_BITS = (CLIENT_ID_BYTES * 8 / 6 - SELECTOR_LENGTH) * 6;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** @throws Refusal {@code invalid_room} */
    public static String room(String raw) {
        if (!isToken(raw, MAX_ROOM)) {
            throw Reason.INVALID_ROOM.refusal(shape("The room", MAX_ROOM));
        }
        return raw;
    }

    /** @throws Refusal {@code invalid_msg_id} */
    public static String msgId(String raw) {
        if (!isToken(raw, MAX_MSG_ID)) {
            throw Reason.INVALID_MSG_ID.refusal(shape("msgId", MAX_MSG_ID));
        }
        return raw;
    }

    /** @throws Refusal {@code invalid_client_id} when the value cannot be any client's id */
    public static String clientId(String raw) {
        if (!isToken(raw, MAX_CLIENT_ID)) {
            throw Reason.INVALID_CLIENT_ID.refusal(shape("clientId", MAX_CLIENT_ID));
        }
        return raw;
    }

    private static String shape(String what, int max) {
        return what + " must be 1-" + max + " characters of " + TOKEN_CHARACTERS + ".";
    }

    /** Whether {@code raw} is 1 to {@code max} characters of {@code [A-Za-z0-9_-]}. */
    static boolean isToken(String raw, int max) {
        int length = raw.length();
        if (length == 0 || length > max) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = raw.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** A new secret client id from SecureRandom, base64url without padding. */
    public static String newClientId() {
        byte[] bytes = new byte[CLIENT_ID_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The part of a client id the hub looks it up by; see the class comment. */
    static String selector(String clientId) {
        return clientId.length() <= SELECTOR_LENGTH ? clientId : clientId.substring(0, SELECTOR_LENGTH);
    }

    /**
     * Compares two ids in time that depends on their length only, as {@code MessageDigest.isEqual}
     * does, without encoding them to bytes first (this runs on every request).
     */
    static boolean equalInConstantTime(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        int difference = 0;
        for (int i = 0; i < a.length(); i++) {
            difference |= a.charAt(i) ^ b.charAt(i);
        }
        return difference == 0;
    }

    /** Enough of a client id to tell clients apart in a log, too little to act as one. */
    public static String redact(String clientId) {
        return clientId.length() <= 6 ? "…" : clientId.substring(0, 6) + "…";
    }
}
