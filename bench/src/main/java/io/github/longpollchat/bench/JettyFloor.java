package io.github.longpollchat.bench;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * The floor under this server's figures: the least a long-polling server on the same Jetty, with
 * the same connector settings and pool ({@link BenchJetty}), costs per delivery. It keeps no
 * clients, rooms, cursors, limits or JSON; it speaks the part of Nchan's protocol that
 * {@link NchanSwarm} uses ({@code GET sub/<channel>} parks until the message after its
 * {@code If-None-Match}, {@code POST pub/<channel>} publishes to all), so the load generator runs
 * against it with {@code --target=nchan}. Front ends over one channel map ({@code --api=}):
 *
 * <ul>
 *   <li>{@code core}: a Jetty core {@link Handler} on the pool's threads; a publish writes each
 *       parked answer from its own thread, as the core API allows without a dispatch.</li>
 *   <li>{@code servlet}: async servlets built as this server's are ({@code startAsync}; answers
 *       written by a {@link WriteListener} set from the publishing thread, which Jetty hands to
 *       a pool thread).</li>
 *   <li>{@code -selector}: each request runs on the selector thread that read it (a handler
 *       declared non-blocking), with no hand-off to the pool. The servlet front end still reads a
 *       publish's body blocking, which holds only because the load generator sends it with its
 *       headers.</li>
 *   <li>{@code -direct}: the publishing thread writes each answer with a blocking write and
 *       completes it, with no hand-off either; a client that stops reading would stall it, so
 *       this is a floor, not a design.</li>
 * </ul>
 *
 * <p>What this server spends above the servlet floor is its own work (the hub, JSON, the
 * protocol's checks); what the servlet floor spends above the core floor is the servlet layer's.
 * Run by {@code bench/run.sh --targets=chat,nchan,floor-core,floor-servlet fanout-1k}, with any of
 * {@code floor-core-selector}, {@code floor-servlet-direct}, {@code floor-servlet-selector},
 * {@code floor-servlet-selector-direct}.
 */
public final class JettyFloor {
    private static final String LAST_MODIFIED = "Thu, 01 Jan 2026 00:00:00 GMT";

    private JettyFloor() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = BenchJetty.flags(args, "JettyFloor --port=N [--api=core|servlet…] [--threads=16]",
                Map.of("port", "0", "api", "core", "threads", "16"));
        String api = flags.get("api");
        Server server = start(Integer.parseInt(flags.get("port")), api, Integer.parseInt(flags.get("threads")));
        BenchJetty.serve("JettyFloor (" + api + ")", server);
    }

    /** A started floor on 127.0.0.1 (port 0: any free port). */
    static Server start(int port, String api, int threads) throws Exception {
        Server server = BenchJetty.newServer(port, threads);
        Channels channels = new Channels();
        Handler front = switch (api) {
            case "core", "core-selector" -> new CoreFront(channels);
            case "servlet", "servlet-direct", "servlet-selector", "servlet-selector-direct" -> {
                ServletContextHandler context = new ServletContextHandler("/");
                context.addServlet(new ServletHolder(new ServletFront(channels, api.endsWith("-direct"))), "/*");
                yield context;
            }
            default -> throw new IllegalArgumentException(
                    "--api: core, core-selector, servlet, servlet-direct, servlet-selector or servlet-selector-direct");
        };
        boolean onSelector = api.contains("selector");
        // Declared non-blocking, a handler runs on the selector thread that read the request: no hand-off.
        server.setHandler(new Handler.Wrapper(front) {
            @Override
            public InvocationType getInvocationType() {
                return onSelector ? InvocationType.NON_BLOCKING : InvocationType.BLOCKING;
            }
        });
        server.start();
        return server;
    }

    private record Message(long id, byte[] text) {
    }

    /** Every channel's messages, and the subscribers parked on each. */
    private static final class Channels {
        private final Map<String, Channel> byName = new ConcurrentHashMap<>();

        Channel get(String name) {
            return byName.computeIfAbsent(name, n -> new Channel());
        }
    }

    private static final class Channel {
        private final List<Message> messages = new ArrayList<>();
        /** What to call, for each parked subscriber, with the next message published. */
        private List<Consumer<Message>> parked = new ArrayList<>();

        /** The message after {@code etag} (or the next one published, without), now or later. */
        void subscribe(String etag, Consumer<Message> answer) {
            Message now;
            synchronized (this) {
                long next = etag == null ? messages.size() : Long.parseLong(etag.replace("\"", "")) + 1;
                if (next < messages.size()) {
                    now = messages.get((int) next);
                } else {
                    parked.add(answer);
                    return;
                }
            }
            answer.accept(now);
        }

        void publish(byte[] text) {
            List<Consumer<Message>> woken;
            Message message;
            synchronized (this) {
                message = new Message(messages.size(), text);
                messages.add(message);
                woken = parked;
                parked = new ArrayList<>();
            }
            woken.forEach(answer -> answer.accept(message));
        }

        synchronized int subscribers() {
            return parked.size();
        }
    }

    private static String channel(String path, String prefix) {
        return path.startsWith(prefix) ? path.substring(prefix.length()) : null;
    }

    private static byte[] subscribersJson(Channel channel) {
        return ("{\"subscribers\":" + channel.subscribers() + "}").getBytes(StandardCharsets.US_ASCII);
    }

    /** Jetty's core API: no servlet layer. */
    private static final class CoreFront extends Handler.Abstract {
        private final Channels channels;

        CoreFront(Channels channels) {
            this.channels = channels;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            String sub = channel(path, "/sub/");
            String pub = channel(path, "/pub/");
            if (sub != null) {
                channels.get(sub).subscribe(request.getHeaders().get(HttpHeader.IF_NONE_MATCH), message -> {
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                    response.getHeaders().put(HttpHeader.LAST_MODIFIED, LAST_MODIFIED);
                    response.getHeaders().put(HttpHeader.ETAG, "\"" + message.id() + "\"");
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, message.text().length);
                    response.write(true, ByteBuffer.wrap(message.text()), callback);
                });
            } else if (pub != null && request.getMethod().equals("GET")) {
                byte[] body = subscribersJson(channels.get(pub));
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
            } else if (pub != null) {
                Content.Source.asByteBufferAsync(request).whenComplete((body, failure) -> {
                    if (failure != null) {
                        Response.writeError(request, response, callback, failure);
                        return;
                    }
                    byte[] text = new byte[body.remaining()];
                    body.get(text);
                    channels.get(pub).publish(text);
                    response.setStatus(202);
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
                    response.write(true, null, callback);
                });
            } else {
                Response.writeError(request, response, callback, 404);
            }
            return true;
        }
    }

    /** The servlet API, used as this server's servlets use it. */
    private static final class ServletFront extends HttpServlet {
        private final transient Channels channels;
        private final boolean direct;

        ServletFront(Channels channels, boolean direct) {
            this.channels = channels;
            this.direct = direct;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String path = request.getRequestURI();
            String sub = channel(path, "/sub/");
            String pub = channel(path, "/pub/");
            if (sub != null) {
                AsyncContext async = request.startAsync();
                async.setTimeout(0);
                channels.get(sub).subscribe(request.getHeader("If-None-Match"), message -> {
                    response.setStatus(200);
                    response.setContentType("text/plain");
                    response.setHeader("Last-Modified", LAST_MODIFIED);
                    response.setHeader("Etag", "\"" + message.id() + "\"");
                    if (direct) {
                        try {
                            response.setContentLength(message.text().length);
                            response.getOutputStream().write(message.text());
                        } catch (IOException e) {
                            // the client is gone
                        }
                        async.complete();
                    } else {
                        write(async, response, message.text());
                    }
                });
            } else if (pub != null && request.getMethod().equals("GET")) {
                response.setContentType("application/json");
                response.getOutputStream().write(subscribersJson(channels.get(pub)));
            } else if (pub != null) {
                channels.get(pub).publish(request.getInputStream().readAllBytes());
                response.setStatus(202);
            } else {
                response.sendError(404);
            }
        }

        private static void write(AsyncContext async, HttpServletResponse response, byte[] body) {
            try {
                response.setContentLength(body.length);
                ServletOutputStream out = response.getOutputStream();
                out.setWriteListener(new WriteListener() {
                    private boolean written;

                    @Override
                    public void onWritePossible() throws IOException {
                        while (out.isReady()) {
                            if (written) {
                                async.complete();
                                return;
                            }
                            out.write(body);
                            written = true;
                        }
                    }

                    @Override
                    public void onError(Throwable failure) {
                        async.complete();
                    }
                });
            } catch (IOException e) {
                async.complete();
            }
        }
    }
}
