package io.github.longpollchat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The redis setting: none by default, a redis:// URI when given, and a one-line refusal of anything else. */
class RedisSettingTest {
    @Test
    void withoutTheSettingTheChatStaysInMemory() {
        assertEquals("", Settings.defaults().text(Option.REDIS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://127.0.0.1:6379", "redis://cache.internal:6380/2", "redis://chat:s3cret@10.0.0.5:6379/0"})
    void aRedisUriIsTakenFromTheEnvironment(String uri) {
        assertEquals(uri, Settings.resolve(Map.of(), name -> name.equals("CHAT_REDIS") ? uri : null).text(Option.REDIS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:6379", "http://127.0.0.1:6379", "redis://127.0.0.1", "redis://127.0.0.1:99999",
        "redis://127.0.0.1:6379/zero", "redis://127.0.0.1:6379?timeout=1s", "redis://user:hunter2@:6379"})
    void anythingElseStopsStartUpNamingTheFlagAndNotEchoingTheValue(String bad) {
        SettingsException refused = assertThrows(SettingsException.class,
                () -> Settings.resolve(Map.of(Option.REDIS, bad), name -> null));

        assertTrue(refused.getMessage().startsWith("--redis: not a redis://"), refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"));
        assertFalse(refused.getMessage().contains("hunter2"), "a password is never echoed");
    }
}
