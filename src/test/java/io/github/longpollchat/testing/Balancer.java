package io.github.longpollchat.testing;

import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpConversation;
import org.eclipse.jetty.client.transport.HttpRequest;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A round-robin HTTP reverse proxy in the test JVM, on a free port of 127.0.0.1, in front of a
 * cluster's nodes: what nginx does with an {@code upstream} of these nodes and its defaults. Each
 * request goes to the next node (no stickiness: a client's keep-alive connection to the balancer
 * carries requests to every node in turn); status, header fields and body pass through, apart
 * from the hop-by-hop fields, and with the client's address appended to {@code X-Forwarded-For}; a parked poll may take as long as it likes (no read timeout below
 * {@value #IDLE_SECONDS} s). Built on Jetty's {@link ProxyHandler}; the base path of each node
 * ({@code /} for a jar, {@code /longpoll-chat/} for the WAR) replaces the balancer's {@code /}.
 *
 * <p>A node that fails is treated as nginx's {@code proxy_next_upstream error timeout} with
 * {@code max_fails=1 fail_timeout=10s} treats it:
 * <ul>
 *   <li>no connection (refused: the request was never sent): the request, whatever its method,
 *       goes to the next node;</li>
 *   <li>the connection failed after the request went out but before the answer's header came
 *       back (a node killed under a parked poll): an idempotent request (not {@code POST},
 *       {@code PATCH}, {@code LOCK}) goes to the next node; a {@code POST} is answered
 *       {@code 502 Bad Gateway}, since the node may have acted on it (the client retries it, with
 *       its {@code msgId});</li>
 *   <li>every node tried once and none answered: {@code 502};</li>
 *   <li>the failed node is skipped for {@value #FAIL_TIMEOUT_SECONDS} s, unless every node is.</li>
 * </ul>
 * A request that the balancer's own parser finds broken (a bad chunked body) is answered with that
 * 4xx, as nginx, which reads a body before passing it on, does. A failure once the answer's header
 * is on its way to the client cuts the client's connection.
 */
public final class Balancer implements AutoCloseable {
    /** nginx's {@code fail_timeout} default. */
    public static final int FAIL_TIMEOUT_SECONDS = 10;
    /** Longer than the longest poll (60 s) with room to spare. */
    public static final int IDLE_SECONDS = 120;
    private static final Set<String> NON_IDEMPOTENT = Set.of("POST", "PATCH", "LOCK");
    private static final String NODE = Balancer.class.getName() + ".node";
    private static final String TRIES = Balancer.class.getName() + ".tries";

    private final List<URI> nodes;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLongArray downUntil;
    private final AtomicLongArray forwarded;
    private final Server server;
    private final ServerConnector connector;

    private Balancer(List<URI> nodes) {
        for (URI node : nodes) {
            if (!node.getRawPath().endsWith("/")) {
                throw new IllegalArgumentException("a node's base URL ends with '/': " + node);
            }
        }
        this.nodes = List.copyOf(nodes);
        this.downUntil = new AtomicLongArray(nodes.size());
        this.forwarded = new AtomicLongArray(nodes.size());
        QueuedThreadPool threads = new QueuedThreadPool(64);
        threads.setName("balancer");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(TimeUnit.SECONDS.toMillis(IDLE_SECONDS));
        server.addConnector(connector);
        server.setHandler(new RoundRobin());
    }

    /** Starts a balancer in front of these nodes' base URLs (each ending with '/'). */
    public static Balancer start(List<URI> nodes) throws Exception {
        Balancer balancer = new Balancer(nodes);
        try {
            balancer.server.start();
        } catch (Exception e) {
            balancer.close();
            throw e;
        }
        return balancer;
    }

    /** {@code http://127.0.0.1:PORT/} */
    public URI base() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    public List<URI> nodes() {
        return nodes;
    }

    /** Requests sent to node {@code i} so far, answered or not. */
    public long forwarded(int node) {
        return forwarded.get(node);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** The next node in turn that is not marked down, or simply the next when all are. */
    private int pick() {
        long now = System.nanoTime();
        int first = Math.floorMod(next.getAndIncrement(), nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            int node = (first + i) % nodes.size();
            long until = downUntil.get(node);
            if (until == 0 || now - until > 0) {
                return node;
            }
        }
        return first;
    }

    private static boolean neverSent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** What the balancer's own HTTP parser found wrong in the client's request, if that is what failed. */
    private static HttpException clientFault(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
                return http;
            }
        }
        return null;
    }

    private final class RoundRobin extends ProxyHandler {
        @Override
        protected HttpClient newHttpClient() {
            HttpClient client = super.newHttpClient();
            // Parked polls hold a connection each: no cap below what the tests park.
            client.setMaxConnectionsPerDestination(4096);
            client.setIdleTimeout(TimeUnit.SECONDS.toMillis(IDLE_SECONDS));
            client.setConnectTimeout(5000);
            // A request without a Content-Type goes on without one (not as application/octet-stream).
            client.setDefaultRequestContentType(null);
            return client;
        }

        /**
         * The query goes on byte for byte, as nginx passes it: not through java.net.URI, which refuses
         * some that the nodes must answer themselves (a bad %-escape is their 400, not the balancer's).
         */
        @Override
        protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request clientToProxyRequest, HttpURI target) {
            String query = target.getQuery();
            URI withoutQuery = URI.create(target.getScheme() + "://" + target.getAuthority() + target.getPath());
            return new HttpRequest(getHttpClient(), new HttpConversation(), withoutQuery) {
                @Override
                public String getQuery() {
                    return query;
                }
            }.method(clientToProxyRequest.getMethod());
        }

        /**
         * {@code X-Forwarded-For} with the client's address appended, as nginx sends it with
         * {@code proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for}; nothing else (Jetty's
         * own {@code Via} and {@code Forwarded} are not what nginx sends).
         */
        @Override
        protected void addProxyHeaders(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
            List<String> earlier = clientToProxyRequest.getHeaders().getValuesList(HttpHeader.X_FORWARDED_FOR);
            String client = Request.getRemoteAddr(clientToProxyRequest);
            String chain = earlier.isEmpty() ? client : String.join(", ", earlier) + ", " + client;
            proxyToServerRequest.headers(headers -> headers.put(HttpHeader.X_FORWARDED_FOR, chain));
        }

        @Override
        protected HttpURI rewriteHttpURI(Request clientToProxyRequest) {
            int node = pick();
            clientToProxyRequest.setAttribute(NODE, node);
            forwarded.incrementAndGet(node);
            HttpURI uri = clientToProxyRequest.getHttpURI();
            URI base = nodes.get(node);
            String path = uri.getPath() == null ? "" : uri.getPath();
            String target = base.getScheme() + "://" + base.getRawAuthority() + base.getRawPath()
                    + (path.startsWith("/") ? path.substring(1) : path)
                    + (uri.getQuery() == null ? "" : "?" + uri.getQuery());
            return HttpURI.from(target);
        }

        @Override
        protected org.eclipse.jetty.client.Request.Content newProxyToServerRequestContent(Request clientToProxyRequest,
                Response proxyToClientResponse, org.eclipse.jetty.client.Request proxyToServerRequest) {
            return new ProxyRequestContent(clientToProxyRequest) {
                @Override
                public void fail(Throwable failure) {
                    // A request that never reached its node keeps its body for the next one.
                    if (!neverSent(failure)) {
                        super.fail(failure);
                    }
                }
            };
        }

        @Override
        protected void onServerToProxyResponseFailure(Request clientToProxyRequest,
                org.eclipse.jetty.client.Request proxyToServerRequest,
                org.eclipse.jetty.client.Response serverToProxyResponse, Response proxyToClientResponse,
                Callback proxyToClientCallback, Throwable failure) {
            HttpException clientFault = clientFault(failure);
            if (clientFault != null && !proxyToClientResponse.isCommitted()) {
                // The client's own request broke (a bad chunked body): its 400, as nginx, which reads the body first.
                Response.writeError(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback, clientFault.getCode());
                return;
            }
            boolean clientThere = clientToProxyRequest.getConnectionMetaData().getConnection().getEndPoint().isOpen();
            boolean noAnswer = serverToProxyResponse == null || serverToProxyResponse.getStatus() <= 0;
            if (clientThere && noAnswer && !proxyToClientResponse.isCommitted()) {
                int node = (Integer) clientToProxyRequest.getAttribute(NODE);
                downUntil.set(node, System.nanoTime() + TimeUnit.SECONDS.toNanos(FAIL_TIMEOUT_SECONDS));
                Object tried = clientToProxyRequest.getAttribute(TRIES);
                int tries = tried == null ? 1 : (Integer) tried;
                boolean mayRetry = neverSent(failure) || !NON_IDEMPOTENT.contains(clientToProxyRequest.getMethod());
                if (mayRetry && tries < nodes.size()) {
                    clientToProxyRequest.setAttribute(TRIES, tries + 1);
                    proxyToClientResponse.reset();
                    handle(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
                    return;
                }
            }
            super.onServerToProxyResponseFailure(clientToProxyRequest, proxyToServerRequest, serverToProxyResponse,
                    proxyToClientResponse, proxyToClientCallback, failure);
        }
    }

    /** For a look at what the balancer did, in a failure message. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Balancer ").append(base()).append(" →");
        for (int i = 0; i < nodes.size(); i++) {
            text.append(' ').append(nodes.get(i)).append(" (").append(forwarded(i)).append(')');
        }
        return text.toString();
    }
}
