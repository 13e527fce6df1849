package io.github.longpollchat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.longpollchat.testing.TestKeystore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS settings: plain HTTP by default; a PKCS12 keystore by flag or environment, opened with a
 * password from the environment only; a one-line refusal at start-up, never echoing the password,
 * of anything that would fail a visitor's handshake later.
 */
@Timeout(60)
class TlsSettingTest {
    private static final Function<String, String> PASSWORD = TestKeystore.environment()::get;

    @Test
    void withoutTheSettingsTheServerSpeaksPlainHttp() {
        assertEquals("", Settings.defaults().text(Option.TLS_KEYSTORE));
        assertEquals("", Settings.defaults().text(Option.TLS_PASSWORD));
    }

    @Test
    void aKeystoreThatOpensWithItsPasswordIsTaken() throws Exception {
        String keystore = TestKeystore.path().toString();

        Settings settings = Settings.resolve(Map.of(Option.TLS_KEYSTORE, keystore), PASSWORD);

        assertEquals(keystore, settings.text(Option.TLS_KEYSTORE));
        assertEquals(TestKeystore.PASSWORD, settings.text(Option.TLS_PASSWORD));
    }

    @Test
    void theKeystoreIsAlsoTakenFromTheEnvironment() throws Exception {
        String keystore = TestKeystore.path().toString();
        Map<String, String> env = Map.of("CHAT_TLS_KEYSTORE", keystore, "CHAT_TLS_PASSWORD", TestKeystore.PASSWORD);

        assertEquals(keystore, Settings.resolve(Map.of(), env::get).text(Option.TLS_KEYSTORE));
    }

    @Test
    void thePasswordIsNeverAFlagSinceFlagsShowInPs() {
        SettingsException refused = assertThrows(SettingsException.class,
                () -> CommandLine.parse("--tls-password=hunter22"));

        assertOneLineNaming("--tls-password", refused);
        assertTrue(refused.getMessage().contains("CHAT_TLS_PASSWORD"), refused.getMessage());
    }

    @Test
    void aPasswordWithoutAKeystoreStopsStartUp() {
        SettingsException refused = assertThrows(SettingsException.class,
                () -> Settings.resolve(Map.of(), PASSWORD));

        assertOneLineNaming("CHAT_TLS_PASSWORD", refused);
    }

    @Test
    void aKeystoreWithoutAPasswordStopsStartUp() throws Exception {
        String keystore = TestKeystore.path().toString();

        SettingsException refused = assertThrows(SettingsException.class,
                () -> Settings.resolve(Map.of(Option.TLS_KEYSTORE, keystore), name -> null));

        assertOneLineNaming("CHAT_TLS_PASSWORD", refused);
    }

    @Test
    void aMissingKeystoreStopsStartUpNamingTheFlag(@TempDir Path folder) {
        String missing = folder.resolve("nowhere.p12").toString();

        SettingsException refused = assertThrows(SettingsException.class,
                () -> Settings.resolve(Map.of(Option.TLS_KEYSTORE, missing), PASSWORD));

        assertOneLineNaming("--tls-keystore", refused);
        assertTrue(refused.getMessage().contains("no such file"), refused.getMessage());
    }

    @Test
    void aWrongPasswordStopsStartUpNamingThePasswordVariable() throws Exception {
        String keystore = TestKeystore.path().toString();
        Map<String, String> env = Map.of("CHAT_TLS_PASSWORD", "not-" + TestKeystore.PASSWORD);

        SettingsException refused = assertThrows(SettingsException.class,
                () -> Settings.resolve(Map.of(Option.TLS_KEYSTORE, keystore), env::get));

        assertOneLineNaming("CHAT_TLS_PASSWORD", refused);
    }

    @Test
    void aFileThatIsNotAKeystoreStopsStartUpNamingTheVariable(@TempDir Path folder) throws Exception {
        Path pem = Files.writeString(folder.resolve("cert.pem"),
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
        Map<String, String> env = Map.of("CHAT_TLS_KEYSTORE", pem.toString(), "CHAT_TLS_PASSWORD", TestKeystore.PASSWORD);

        SettingsException refused = assertThrows(SettingsException.class, () -> Settings.resolve(Map.of(), env::get));

        assertOneLineNaming("CHAT_TLS_KEYSTORE", refused);
        assertTrue(refused.getMessage().contains("PKCS12"), refused.getMessage());
    }

    private static void assertOneLineNaming(String setting, SettingsException refused) {
        assertTrue(refused.getMessage().startsWith(setting + ": "), refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"), refused.getMessage());
        assertFalse(refused.getMessage().contains(TestKeystore.PASSWORD), "the password is never echoed: " + refused.getMessage());
        assertFalse(refused.getMessage().contains("hunter22"), "the password is never echoed: " + refused.getMessage());
    }
}
