package io.github.longpollchat.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who is local to the admin endpoints, by the remote address a container gives. The tests over
 * HTTP can only call from this machine (MetricsTest shows a local call served and a forwarded one
 * refused); the addresses of other machines are decided here.
 */
class AdminCallersTest {
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.3.4.5", "::1", "0:0:0:0:0:0:0:1", "[::1]", "::ffff:127.0.0.1"})
    void aLoopbackAddressIsLocal(String address) {
        assertTrue(AdminCallers.isLocal(address, null, null), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.5", "192.168.1.20", "203.0.113.7", "2001:db8::1", "::", "0.0.0.0", "fe80::1%eth0"})
    void anyOtherAddressIsNot(String address) {
        assertFalse(AdminCallers.isLocal(address, null, null), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "", "127.0.0.1.nip.io", "unix:/run/chat.sock"})
    void aNameIsNeverLookedUpAndIsNotLocal(String address) {
        assertFalse(AdminCallers.isLocal(address, null, null), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void aCallAProxyForwardedIsNotLocalWhereverItCameFrom(String address) {
        assertFalse(AdminCallers.isLocal(address, "for=203.0.113.7", null));
        assertFalse(AdminCallers.isLocal(address, null, "203.0.113.7"));
    }
}
