package io.github.longpollchat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which address a request is counted under: the remote one, unless it is a trusted proxy; then
 * the rightmost address of the proxy's header that is not a trusted proxy, garbage ending the
 * walk at the last good one.
 */
@Timeout(10)
class ClientAddressTest {
    private static final ClientAddress NO_PROXIES = ClientAddress.of("");
    private static final ClientAddress PROXIES = ClientAddress.of("127.0.0.1,10.0.0.0/8,2001:db8:ffff::/48");

    private static String xff(ClientAddress rule, String remote, String... fields) {
        return rule.resolve(remote, List.of(fields), List.of());
    }

    private static String forwarded(ClientAddress rule, String remote, String... fields) {
        return rule.resolve(remote, List.of(), List.of(fields));
    }

    @Test
    void withoutTrustedProxiesTheRemoteAddressIsTheClientsWhateverTheHeadersSay() {
        assertEquals("127.0.0.1", NO_PROXIES.resolve("127.0.0.1", List.of("203.0.113.7"), List.of("for=203.0.113.8")));
    }

    @Test
    void fromAnUntrustedRemoteAddressTheHeadersAreIgnored() {
        assertEquals("198.51.100.1", PROXIES.resolve("198.51.100.1", List.of("203.0.113.7"), List.of("for=203.0.113.8")));
    }

    @Test
    void aTrustedProxyNamesTheClient() {
        assertEquals("203.0.113.7", xff(PROXIES, "127.0.0.1", "203.0.113.7"));
    }

    @Test
    void theRightmostUntrustedAddressIsTheClientNotWhatTheClientPrependedItself() {
        assertEquals("203.0.113.7", xff(PROXIES, "127.0.0.1", "6.6.6.6, 203.0.113.7, 10.1.2.3"));
    }

    @Test
    void severalFieldsAreOneListInTheirOrder() {
        assertEquals("203.0.113.7", xff(PROXIES, "127.0.0.1", "6.6.6.6", "203.0.113.7, 10.0.0.9"));
    }

    @Test
    void whenEveryHopIsTrustedTheLeftmostIsTheClient() {
        assertEquals("10.0.0.2", xff(PROXIES, "127.0.0.1", "10.0.0.2, 10.0.0.1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "", ",", "203.0.113.7, not-an-ip", "203.0.113.7, unknown", "203.0.113.7,,",
        "localhost", "203.0.113.7, 1.2.3.4.5", "\u0000\u00ff", "[::1", "\"", "203.0.113.7, 999.1.1.1"})
    void garbageFromATrustedProxyEndsTheWalkAtTheLastGoodAddress(String field) {
        assertEquals("127.0.0.1", xff(PROXIES, "127.0.0.1", field));
    }

    @Test
    void garbageBehindAGoodHopStopsAtThatHop() {
        assertEquals("10.0.0.5", xff(PROXIES, "127.0.0.1", "203.0.113.7, bogus, 10.0.0.5"));
    }

    @Test
    void portsAndBracketsAreTakenOff() {
        assertEquals("203.0.113.7", xff(PROXIES, "127.0.0.1", "203.0.113.7:4711"));
        assertEquals("2001:db8:0:0:0:0:0:1", xff(PROXIES, "127.0.0.1", "[2001:db8::1]:4711"));
        assertEquals("2001:db8:0:0:0:0:0:1", xff(PROXIES, "127.0.0.1", "2001:db8::1"));
    }

    @Test
    void oneAddressHasOneSpellingHowEverItIsWritten() {
        assertEquals(xff(PROXIES, "127.0.0.1", "2001:DB8:0::1"), xff(PROXIES, "127.0.0.1", "2001:db8::1"));
        assertEquals("192.0.2.1", xff(PROXIES, "127.0.0.1", "::ffff:192.0.2.1"));
    }

    @Test
    void theRemoteAddressMayBeIpv6InBrackets() {
        assertEquals("203.0.113.7", xff(ClientAddress.of("::1"), "[0:0:0:0:0:0:0:1]", "203.0.113.7"));
        assertEquals("203.0.113.7", xff(PROXIES, "2001:db8:ffff:1::9", "203.0.113.7"));
    }

    @Test
    void forwardedGivesTheForParameterOfEachElement() {
        assertEquals("203.0.113.7", forwarded(PROXIES, "127.0.0.1", "for=6.6.6.6, for=203.0.113.7;proto=http;by=10.0.0.1"));
    }

    @Test
    void forwardedTakesQuotedIpv6WithAPortAndAnyCaseOfFor() {
        assertEquals("2001:db8:0:0:0:0:0:1", forwarded(PROXIES, "127.0.0.1", "For=\"[2001:db8::1]:4711\""));
    }

    @Test
    void forwardedQuotesMayHoldSeparators() {
        assertEquals("203.0.113.7", forwarded(PROXIES, "127.0.0.1", "for=203.0.113.7;host=\"a,b;c\""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"for=unknown", "for=_hidden", "for=\"_gazonk\"", "proto=http", "for=", "for", "=;=,=",
        "for=\"[2001:db8::1\""})
    void forwardedObfuscatedUnknownOrMissingNodesEndTheWalkAtTheLastGoodAddress(String field) {
        assertEquals("127.0.0.1", forwarded(PROXIES, "127.0.0.1", field));
    }

    @Test
    void xForwardedForWinsWhenBothArePresent() {
        assertEquals("203.0.113.7", PROXIES.resolve("127.0.0.1", List.of("203.0.113.7"), List.of("for=198.51.100.9")));
    }
}
