package io.github.longpollchat.launcher;

import io.github.longpollchat.config.TlsKeystore;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The jar's HTTPS connector: TLS with the keystore's key, then HTTP/2 or HTTP/1.1 as the client
 * offers by ALPN (HTTP/1.1 when it offers nothing). Over HTTP/2 a browser sends every tab's
 * requests on one connection, so it is no longer held to six connections per server, which a
 * parked poll per room open used up.
 */
final class Https {
    /**
     * Requests at once on one HTTP/2 connection: every tab of a browser shares it, each with a
     * parked poll and its sends; past this a browser waits for a stream to end (Jetty's default 128
     * could hold up a browser with many rooms open).
     */
    static final int MAX_STREAMS = 1024;

    private Https() {
    }

    /**
     * Each HTTP/2 stream keeps Jetty's default idle timeout, the connector's short one: it ends a
     * stream stalled in reading or writing, and a parked poll, which does neither, is not cut by it
     * ({@code IdleTimeoutTest}).
     */
    static ServerConnector connector(Server server, HttpConfiguration http, String keystore, String password) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(keystore);
        tls.setKeyStoreType(TlsKeystore.TYPE);
        tls.setKeyStorePassword(password);
        // HTTP/2 forbids some ciphers that TLS 1.2 would offer: these go last, so they are never chosen for it.
        tls.setCipherComparator(HTTP2Cipher.COMPARATOR);

        http.setSecureScheme("https");
        http.addCustomizer(new SecureRequestCustomizer());
        HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        HTTP2ServerConnectionFactory http2 = new HTTP2ServerConnectionFactory(http);
        http2.setMaxConcurrentStreams(MAX_STREAMS);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(http1.getProtocol());
        SslConnectionFactory ssl = new SslConnectionFactory(tls, alpn.getProtocol());
        return new ServerConnector(server, ssl, alpn, http2, http1);
    }
}
