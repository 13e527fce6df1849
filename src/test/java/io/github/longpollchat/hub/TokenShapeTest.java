package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The token shape {@code [A-Za-z0-9_-]{1,max}}, checked without a regex, at its edges. */
class TokenShapeTest {
    @Test
    void everyCharacterOfTheAlphabetIsAllowed() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        assertTrue(Tokens.isToken(alphabet, alphabet.length()));
    }

    @Test
    void emptyAndOverlongAreRefused() {
        assertFalse(Tokens.isToken("", 32));
        assertTrue(Tokens.isToken("a".repeat(32), 32));
        assertFalse(Tokens.isToken("a".repeat(33), 32));
    }

    @Test
    void charactersOutsideTheAlphabetAreRefused() {
        // Next to the alphabet's edges in ASCII, look-alikes beyond it, and what encodings leave behind.
        for (String bad : new String[] {"a.b", "a b", "a+b", "a%41", "a/b", "a=b", "@", "[", "`", "{", ":", "é", "\u0660", "\uFF21", "a\u0000"}) {
            assertFalse(Tokens.isToken(bad, 64), () -> "accepted " + bad);
        }
    }

    @Test
    void aMadeClientIdHasTheShapeOfOne() {
        String id = Tokens.newClientId();
        assertEquals(id, Tokens.clientId(id));
        assertThrows(Refusal.class, () -> Tokens.clientId(id + "."));
    }
}
