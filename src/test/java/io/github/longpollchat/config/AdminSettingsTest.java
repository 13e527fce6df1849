package io.github.longpollchat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** admin-port (none by default: no admin endpoints on the jar) and admin-allow (loopback by default), and their one-line refusals. */
class AdminSettingsTest {
    @Test
    void withoutTheSettingTheJarHasNoAdminPort() {
        assertEquals(Option.NONE, Settings.defaults().get(Option.ADMIN_PORT));
    }

    @Test
    void anAdminPortIsTakenFromTheEnvironment() {
        assertEquals(9090, Settings.resolve(Map.of(), name -> name.equals("CHAT_ADMIN_PORT") ? "9090" : null).get(Option.ADMIN_PORT));
    }

    @Test
    void zeroTakesAFreeAdminPort() {
        assertEquals(0, Settings.resolve(Map.of(Option.ADMIN_PORT, "0"), name -> null).get(Option.ADMIN_PORT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536", "abc", "80 80"})
    void aBadAdminPortIsRefusedInOneLineNamingTheFlag(String bad) {
        SettingsException refused = assertThrows(SettingsException.class,
                () -> Settings.resolve(Map.of(Option.ADMIN_PORT, bad), name -> null));
        assertTrue(refused.getMessage().startsWith("--admin-port: "), refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"));
    }

    @Test
    void onlyLoopbackCallersByDefault() {
        assertEquals("loopback", Settings.defaults().text(Option.ADMIN_ALLOW));
    }

    @Test
    void anyCallerWhenTheEnvironmentSaysSo() {
        assertEquals("any", Settings.resolve(Map.of(), name -> name.equals("CHAT_ADMIN_ALLOW") ? "any" : null).text(Option.ADMIN_ALLOW));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "everyone", "127.0.0.1", "LOOPBACK"})
    void anythingButLoopbackOrAnyIsRefusedInOneLine(String bad) {
        SettingsException refused = assertThrows(SettingsException.class,
                () -> Settings.resolve(Map.of(), name -> name.equals("CHAT_ADMIN_ALLOW") ? bad : null));
        assertTrue(refused.getMessage().startsWith("CHAT_ADMIN_ALLOW: "), refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"));
    }

    @Test
    void theAdminPortIsTheJarsOnly() {
        assertTrue(Option.JAR_ONLY.contains(Option.ADMIN_PORT));
        assertFalse(Option.JAR_ONLY.contains(Option.ADMIN_ALLOW), "the WAR reads who may call too");
    }
}
