package io.github.longpollchat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trusted-proxies setting: no one by default; IP addresses and CIDR ranges, IPv4 and IPv6,
 * kept as {@code address/prefix}; a one-line refusal of anything else; and the literal-only
 * reading of an address that the client's address is found with.
 */
class TrustedProxiesSettingTest {
    private static String resolved(String raw) {
        return Settings.resolve(Map.of(Option.TRUSTED_PROXIES, raw), name -> null).text(Option.TRUSTED_PROXIES);
    }

    private static boolean contains(String setting, String address) {
        return IpRange.parse(resolved(setting)).get(0).contains(IpRange.literal(address));
    }

    @Test
    void withoutTheSettingNoProxyIsTrusted() {
        assertEquals("", Settings.defaults().text(Option.TRUSTED_PROXIES));
        assertEquals(List.of(), IpRange.parse(""));
    }

    @Test
    void addressesAndRangesAreKeptWithTheirPrefixHostBitsCleared() {
        assertEquals("127.0.0.1/32,10.0.0.0/8,0:0:0:0:0:0:0:1/128,2001:db8:0:0:0:0:0:0/32",
                resolved(" 127.0.0.1, 10.1.2.3/8 ,::1,2001:DB8::/32"));
    }

    @Test
    void theEnvironmentVariableIsReadToo() {
        assertEquals("192.0.2.0/24", Settings.resolve(Map.of(),
                name -> name.equals("CHAT_TRUSTED_PROXIES") ? "192.0.2.0/24" : null).text(Option.TRUSTED_PROXIES));
    }

    @Test
    void aRangeHoldsTheAddressesUnderItsPrefixOnly() {
        assertTrue(contains("10.0.0.0/8", "10.255.0.1"));
        assertFalse(contains("10.0.0.0/8", "11.0.0.1"));
        assertTrue(contains("192.0.2.128/25", "192.0.2.200"));
        assertFalse(contains("192.0.2.128/25", "192.0.2.127"));
        assertTrue(contains("2001:db8::/32", "2001:db8:ffff::1"));
        assertFalse(contains("2001:db8::/32", "2001:db9::1"));
        assertTrue(contains("0.0.0.0/0", "203.0.113.9"));
        assertFalse(contains("0.0.0.0/0", "::1"));
    }

    @Test
    void anIpv4MappedIpv6AddressIsItsIpv4One() {
        assertTrue(contains("127.0.0.1", "::ffff:127.0.0.1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "proxy.example", "127.1", "0x7f.0.0.1", "256.0.0.1", "1.2.3.4.5", "fe80::1%eth0",
        "1:2", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "", " ", "_hidden", "unknown"})
    void onlyLiteralsAreAddresses(String text) {
        assertNull(IpRange.literal(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"203.0.113.9", "::1", "2001:db8::1", "::ffff:192.0.2.1", "0.0.0.0"})
    void literalsAreAddresses(String text) {
        assertNotNull(IpRange.literal(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "10.0.0.0/33", "127.0.0.1,,10.0.0.1", "127.0.0.1:8080", "[::1]", "10.0.0.0/8x"})
    void anythingElseStopsStartUpNamingTheFlag(String bad) {
        SettingsException refused = assertThrows(SettingsException.class, () -> resolved(bad));

        assertTrue(refused.getMessage().startsWith("--trusted-proxies: "), refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"));
    }
}
