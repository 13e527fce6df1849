package io.github.longpollchat.bench;

import java.util.Map;
import org.cometd.server.AbstractServerTransport;
import org.cometd.server.BayeuxServerImpl;
import org.cometd.server.http.JSONHttpTransport;
import org.cometd.server.http.jakarta.CometDServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;

/**
 * CometD, what a Java team would pick instead of this server, as a bench target: CometD 8's
 * {@link CometDServlet} on the same Jetty 12 ee10 with the same pool and connector settings as
 * this server ({@link BenchJetty}), set up as a chat would use it, with CometD's defaults but for:
 *
 * <ul>
 *   <li>long polling only: {@code transports} is CometD's JSON long-polling transport alone
 *       ({@link JSONHttpTransport}, {@code long-polling}), so no websocket, nor JSONP;</li>
 *   <li>{@code timeout}, how long a {@code /meta/connect} is held, is this server's poll timeout
 *       in bench/run.sh (30 s; CometD's default is 20 s).</li>
 * </ul>
 *
 * <p>Rooms are broadcast channels {@code /chat/<room>} that clients subscribe to and publish to
 * directly (CometD's default security policy lets a handshaken client do both), the publisher
 * included among the receivers as in this server. There is no service, no membership list and no
 * presence: less than this server does for a message. JSON is CometD's default, Jetty's
 * {@code jetty-util-ajax}. Beside the Jetty pool, CometD keeps its own executor (for its session
 * sweeps) and a scheduler thread (for the held connects' timeouts).
 *
 * <p>The load generator speaks Bayeux to it ({@code --target=cometd}, {@link CometDSwarm}) at
 * {@code http://127.0.0.1:<port>/cometd/}. Run by {@code bench/run.sh --targets=chat,cometd fanout-1k}.
 */
public final class CometDChat {
    /** The servlet's mapping; the load generator's URL ends with {@link #PATH}. */
    static final String PATH = "cometd/";

    private CometDChat() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = BenchJetty.flags(args, "CometDChat --port=N [--threads=16] [--timeout-seconds=30]",
                Map.of("port", "0", "threads", "16", "timeout-seconds", "30"));
        Server server = start(Integer.parseInt(flags.get("port")), Integer.parseInt(flags.get("threads")),
                Integer.parseInt(flags.get("timeout-seconds")));
        BenchJetty.serve("CometD " + BayeuxServerImpl.class.getPackage().getImplementationVersion(), server);
    }

    /** A started CometD on 127.0.0.1 (port 0: any free port) holding each connect up to {@code timeoutSeconds}. */
    static Server start(int port, int threads, int timeoutSeconds) throws Exception {
        Server server = BenchJetty.newServer(port, threads);
        ServletContextHandler context = new ServletContextHandler("/");
        // The init parameters a web.xml would give; CometDServlet hands them to its BayeuxServerImpl.
        ServletHolder cometd = new ServletHolder(CometDServlet.class);
        cometd.setInitParameter(BayeuxServerImpl.TRANSPORTS_OPTION, JSONHttpTransport.class.getName());
        cometd.setInitParameter(BayeuxServerImpl.ALLOWED_TRANSPORTS_OPTION, JSONHttpTransport.NAME);
        cometd.setInitParameter(AbstractServerTransport.TIMEOUT_OPTION, Long.toString(timeoutSeconds * 1000L));
        cometd.setInitOrder(1);
        context.addServlet(cometd, "/" + PATH + "*");
        server.setHandler(context);
        server.start();
        return server;
    }
}
