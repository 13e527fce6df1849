package io.github.longpollchat.hub.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * What Redis knows a client by: the first 128 bits of the SHA-256 of its id, in base64url. Redis
 * never holds a client id, so neither its keys nor a dump of it let anyone act as a client; and a
 * lookup by digest can leak through its timing only the digest of a guess, which tells nothing of
 * any real id (the memory engine gets the same from its selector and a constant-time compare,
 * see {@code Tokens}).
 */
final class ClientDigest {
    private static final int BYTES = 16;
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    });

    private ClientDigest() {
    }

    /** Enough of a digest to follow a client through a log: the join's line shows it beside the id's prefix. */
    static String shown(String digest) {
        return digest.substring(0, 6) + "…";
    }

    static String of(String clientId) {
        return digest(clientId);
    }

    /**
     * What Redis counts an address under: its digest, so that no key or dump names anyone's
     * address in the clear. Only against a casual look: IPv4 has few enough addresses to try
     * them all.
     */
    static String ofAddress(String address) {
        return digest(address);
    }

    private static String digest(String text) {
        byte[] hash = SHA_256.get().digest(text.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, BYTES));
    }
}
