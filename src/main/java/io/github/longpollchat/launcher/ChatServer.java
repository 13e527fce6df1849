package io.github.longpollchat.launcher;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.http.BodyDeadlines;
import io.github.longpollchat.http.ChatApp;
import io.github.longpollchat.hub.Hub;
import java.net.URI;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded Jetty server around the chat's servlets; what {@code main} runs and what tests
 * start on port 0. The only code that knows Jetty.
 */
public final class ChatServer {
    private static final Logger LOG = LoggerFactory.getLogger(ChatServer.class);
    /** Longer than the longest poll, so that no parked poll is cut by the connection's idle timeout. */
    private static final int IDLE_MARGIN_SECONDS = 30;
    /**
     * How long a connection may take to send a request, or sit idle between requests (after a
     * poll, longer: see {@link IdleTimeoutHandler}).
     */
    public static final long REQUEST_IDLE_MILLIS = 10_000;
    private static final long STOP_TIMEOUT_MILLIS = 3000;
    /**
     * Connections waiting to be accepted. Jetty's default (0) leaves the JDK's 50, and when
     * thousands of tabs connect at once (a restart, a join storm) the kernel drops the rest of their
     * SYNs, which come back only after a one-second retransmission; the kernel caps it at somaxconn.
     */
    static final int ACCEPT_QUEUE = 4096;

    private final Server server;
    private final ServerConnector connector;
    /** The admin port's, or null when {@code admin-port} is not set. */
    private final ServerConnector adminConnector;
    private final ServletContextHandler context;
    private final boolean tls;

    private ChatServer(Settings settings) {
        // No request holds a thread while it waits on its client (a parked poll, a body still
        // arriving, an answer not yet taken): threads only compute, so a few serve any number of
        // clients, and fewer threads cost less CPU (fewer hand-offs): see docs/performance.md.
        int maxThreads = settings.get(Option.THREADS);
        QueuedThreadPool threads = new QueuedThreadPool(maxThreads, Math.min(8, maxThreads));
        threads.setName("chat-http");
        server = new Server(threads);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Jetty keeps a cache of header fields per connection (a trie, some 100 KB once a request
        // has been parsed), which for thousands of mostly idle long-poll connections was most of
        // the heap; parsing a poll's few headers afresh costs less than holding that.
        http.setHeaderCacheSize(0);
        String keystore = settings.text(Option.TLS_KEYSTORE);
        tls = !keystore.isEmpty();
        connector = tls
                ? Https.connector(server, http, keystore, settings.text(Option.TLS_PASSWORD))
                : new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(settings.text(Option.HOST));
        connector.setPort(settings.get(Option.PORT));
        long pollIdleMillis = (settings.get(Option.POLL_TIMEOUT) + IDLE_MARGIN_SECONDS) * 1000L;
        connector.setIdleTimeout(REQUEST_IDLE_MILLIS);
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        server.addConnector(connector);
        adminConnector = adminConnector(settings, http);

        context = new ServletContextHandler("/");
        context.addEventListener(new ChatApp(settings));
        server.setHandler(new GracefulHandler(new AdminRoutes(
                new IdleTimeoutHandler(context, REQUEST_IDLE_MILLIS, pollIdleMillis), adminConnector)));
        server.setErrorHandler(new JsonErrorHandler());
        String accessLog = settings.text(Option.ACCESS_LOG);
        if (!accessLog.isEmpty()) {
            AccessLog log = AccessLog.to(accessLog);
            server.setRequestLog(log);
            // Opened and closed with the server.
            server.addBean(log.writer());
        }
        server.setStopTimeout(STOP_TIMEOUT_MILLIS);
        // Our own hook answers parked polls before Jetty stops; see stop().
        server.setStopAtShutdown(false);
    }

    /**
     * The connector of {@code /metrics}, {@code /healthz} and {@code /readyz} when {@code admin-port}
     * is set: on 127.0.0.1, apart from the chat, unless {@code admin-allow} is {@code any}, which binds
     * it where the chat is bound.
     */
    private ServerConnector adminConnector(Settings settings, HttpConfiguration http) {
        int port = settings.get(Option.ADMIN_PORT);
        if (port == Option.NONE) {
            return null;
        }
        ServerConnector admin = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        admin.setName("admin");
        admin.setHost(settings.text(Option.ADMIN_ALLOW).equals("any") ? settings.text(Option.HOST) : "127.0.0.1");
        admin.setPort(port);
        admin.setIdleTimeout(REQUEST_IDLE_MILLIS);
        server.addConnector(admin);
        return admin;
    }

    /** A server for these settings, not yet started. */
    public static ChatServer newServer(Settings settings) {
        return new ChatServer(settings);
    }

    public ChatServer start() throws Exception {
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return this;
    }

    /** The port bound, also when the settings asked for 0. */
    public int port() {
        return connector.getLocalPort();
    }

    /** The admin port bound, also when the settings asked for 0; {@link Option#NONE} when there is none. */
    public int adminPort() {
        return adminConnector == null ? Option.NONE : adminConnector.getLocalPort();
    }

    /** The address to open in a browser; a wildcard bind is shown as localhost. */
    public URI uri() {
        return uri(connector, tls ? "https" : "http");
    }

    /** Where the admin endpoints are, e.g. {@code http://127.0.0.1:9090/}; null when there is no admin port. */
    public URI adminUri() {
        return adminConnector == null ? null : uri(adminConnector, "http");
    }

    private static URI uri(ServerConnector bound, String scheme) {
        String host = bound.getHost();
        String shown = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "localhost" : host;
        if (shown.contains(":") && !shown.startsWith("[")) {
            shown = "[" + shown + "]";
        }
        return URI.create(scheme + "://" + shown + ":" + bound.getLocalPort() + "/");
    }

    public Hub hub() {
        return (Hub) context.getServletContext().getAttribute(ChatApp.HUB);
    }

    /** The timer of the POST bodies still arriving. */
    public BodyDeadlines bodyDeadlines() {
        return (BodyDeadlines) context.getServletContext().getAttribute(ChatApp.BODY_DEADLINES);
    }

    /**
     * Stops gracefully: parked polls are answered at once and new requests get
     * {@code shutting_down} while the answers go out; then Jetty stops.
     */
    public void stop() throws Exception {
        Hub hub = hub();
        if (hub != null) {
            hub.shutdown();
        }
        try {
            server.stop();
        } catch (Exception e) {
            if (!isTimeout(e)) {
                throw e;
            }
            // Jetty stopped all the same; some answer was still being written after the grace time.
            LOG.warn("stopped with requests still in flight after {} ms", STOP_TIMEOUT_MILLIS);
        }
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (isTimeout(suppressed)) {
                    return true;
                }
            }
        }
        return false;
    }
}
