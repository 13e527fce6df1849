package io.github.longpollchat.hub;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The shapes of the short ASCII tokens of the protocol (room names, message keys, client ids) and
 * the making of client ids.
 */
public final class Tokens {
    private static final int MAX_ROOM = 32;
    private static final int MAX_MSG_ID = 64;
    /** Generous on purpose: any URL-safe token up to 128 characters may name a client. */
    private static final int MAX_CLIENT_ID = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int CLIENT_ID_BYTES = 24;

    private Tokens() {
    }

    /** @throws Refusal {@code invalid_room} */
    public static String room(String raw) {
        if (!isToken(raw, MAX_ROOM)) {
            throw ChatError.INVALID_ROOM.refusal();
        }
        return raw;
    }

    /** @throws Refusal {@code invalid_msg_id} */
    public static String msgId(String raw) {
        if (!isToken(raw, MAX_MSG_ID)) {
            throw ChatError.INVALID_MSG_ID.refusal();
        }
        return raw;
    }

    /** @throws Refusal {@code invalid_client_id} when the value cannot be any client's id */
    public static String clientId(String raw) {
        if (!isToken(raw, MAX_CLIENT_ID)) {
            throw ChatError.INVALID_CLIENT_ID.refusal();
        }
        return raw;
    }

    /**
     * Whether {@code raw} is 1 to {@code max} characters of {@code [A-Za-z0-9_-]}. A loop, not a
     * regex: the client id is checked on every request, and the profile put the regex's matcher
     * among the costs of each long poll.
     */
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

    /** A new secret client id: 192 random bits from SecureRandom, base64url without padding. */
    static String newClientId() {
        byte[] bytes = new byte[CLIENT_ID_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
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
