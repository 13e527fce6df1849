package io.github.longpollchat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The allowed-hosts setting: any host by default; names and addresses kept as compared; a one-line refusal of anything else. */
class AllowedHostsSettingTest {
    @Test
    void withoutTheSettingAnyHostIsServed() {
        assertEquals("", Settings.defaults().text(Option.ALLOWED_HOSTS));
    }

    @Test
    void namesAreKeptLowerCaseWithoutTrailingDotsOrBrackets() {
        assertEquals("chat.example.org,localhost,10.0.0.5,::1", Settings.resolve(
                Map.of(Option.ALLOWED_HOSTS, " Chat.Example.org. , localhost,10.0.0.5,[::1]"), name -> null)
                .text(Option.ALLOWED_HOSTS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat.example:8080", "chat.example,,localhost", "http://chat.example", "chat example", "-chat.example"})
    void anythingElseStopsStartUpNamingTheFlag(String bad) {
        SettingsException refused = assertThrows(SettingsException.class,
                () -> Settings.resolve(Map.of(Option.ALLOWED_HOSTS, bad), name -> null));

        assertTrue(refused.getMessage().startsWith("--allowed-hosts: "), refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"));
    }
}
