package io.github.longpollchat.bench;

import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty that the benchmark's own servers ({@link JettyFloor}, {@link CometDChat}) run on: the
 * same pool and connector settings as this server's {@code launcher.ChatServer}, on 127.0.0.1, so
 * that what they cost beside it is their own front end's, not a differently tuned Jetty's.
 */
final class BenchJetty {
    private BenchJetty() {
    }

    /**
     * A server, not yet started, with ChatServer's pool ({@code threads} at most, 8 at least) and
     * connector settings; its idle timeout of 60 s outlasts any poll of the benchmark (30 s).
     *
     * @param port 0 for any free port
     */
    static Server newServer(int port, int threads) {
        Server server = new Server(new QueuedThreadPool(threads, Math.min(8, threads)));
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setHeaderCacheSize(0);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setIdleTimeout(60_000);
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        return server;
    }

    static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /**
     * A main's {@code --name=value} flags over their {@code defaults}; a name without a default is unknown.
     *
     * @throws IllegalArgumentException for any other argument, with {@code usage}
     */
    static Map<String, String> flags(String[] args, String usage, Map<String, String> defaults) {
        Map<String, String> flags = new HashMap<>(defaults);
        for (String arg : args) {
            int equals = arg.indexOf('=');
            String name = arg.startsWith("--") && equals > 2 ? arg.substring(2, equals) : "";
            if (!flags.containsKey(name)) {
                throw new IllegalArgumentException("usage: " + usage);
            }
            flags.put(name, arg.substring(equals + 1));
        }
        return flags;
    }

    /** Prints where the started server listens, then waits until it stops. */
    static void serve(String what, Server server) throws InterruptedException {
        System.out.println(what + " on http://127.0.0.1:" + port(server) + "/");
        server.join();
    }
}
