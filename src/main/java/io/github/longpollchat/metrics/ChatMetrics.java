package io.github.longpollchat.metrics;

import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.hub.HubEvents;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The chat's metrics, in Prometheus' text format: what the engines tell ({@link HubEvents}), what
 * the servlets see as they answer, and the hub's counts read at each scrape. Each server has its
 * own registry, not the library's global one, so that two servers in one JVM (tests, a container
 * redeploying the WAR) never share or clash. Only this package knows the metrics library.
 */
public final class ChatMetrics implements HubEvents {
    /** The text format's media type, version 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter format = PrometheusTextFormatWriter.create();

    private final Gauge clients = gauge("chat_clients",
            "Live clients: of this process (memory engine), of the whole chat (Redis engine); NaN when Redis does not answer.");
    private final Gauge rooms = gauge("chat_rooms",
            "Rooms held: of this process (memory engine), of the whole chat (Redis engine); NaN when Redis does not answer.");
    private final Gauge parkedPolls = gauge("chat_parked_polls", "Polls parked on this node, waiting for an event or their timeout.");
    private final Counter posted = counter("chat_events_posted_total",
            "Events (message, join, leave, presence) posted to rooms by this node's requests and sweeps.");
    private final Counter deliveries = counter("chat_deliveries_total",
            "Events handed to clients in this node's poll answers (an answer repeated after a lost one counts again).");
    private final Counter evictions = counter("chat_evictions_total", "Clients evicted by this node: their mailbox overflowed.");
    private final Counter expiries = counter("chat_expiries_total", "Clients expired by this node's sweep: silent for the client TTL.");
    private final Counter errors = Counter.builder().name("chat_errors_total")
            .help("Error answers of this node, by the protocol's error code.")
            .labelNames("code").register(registry);
    private final Histogram pollWait = Histogram.builder().name("chat_poll_wait_seconds")
            .help("How long this node's polls waited for their answer, from arrival to answer.")
            .classicOnly().classicUpperBounds(0.005, 0.05, 0.25, 1, 2.5, 5, 10, 20, 30, 45, 60)
            .withoutExemplars().register(registry);
    private final Histogram answerBytes = Histogram.builder().name("chat_answer_bytes")
            .help("Body sizes of this node's answers, by endpoint.")
            .labelNames("endpoint")
            .classicOnly().classicExponentialUpperBounds(64, 4, 9)
            .withoutExemplars().register(registry);
    private final Histogram storeCalls = Histogram.builder().name("chat_redis_call_seconds")
            .help("How long this node's calls to Redis took, answered or failed (Redis engine only).")
            .classicOnly().classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2)
            .withoutExemplars().register(registry);
    private final Counter storeReconnects = counter("chat_redis_reconnects_total",
            "Connections of this node to Redis made again after one was lost (Redis engine only).");

    private Gauge gauge(String name, String help) {
        return Gauge.builder().name(name).help(help).register(registry);
    }

    private Counter counter(String name, String help) {
        return Counter.builder().name(name).help(help).withoutExemplars().register(registry);
    }

    @Override
    public void posted(int events) {
        posted.inc(events);
    }

    @Override
    public void evicted(int clients) {
        evictions.inc(clients);
    }

    @Override
    public void expired(int clients) {
        expiries.inc(clients);
    }

    @Override
    public void storeCall(long nanos) {
        storeCalls.observe(nanos / 1e9);
    }

    @Override
    public void storeReconnected() {
        storeReconnects.inc();
    }

    /** An error answer with this protocol code, e.g. {@code rate_limited}. */
    public void error(String code) {
        errors.labelValues(code).inc();
    }

    /** A poll answered with this many events after waiting this long. */
    public void pollAnswered(long waitNanos, int events) {
        pollWait.observe(waitNanos / 1e9);
        deliveries.inc(events);
    }

    /** An answer's body size; {@code endpoint} is one of a few fixed names. */
    public void answered(String endpoint, int bytes) {
        answerBytes.labelValues(endpoint).observe(bytes);
    }

    /**
     * The text to serve at {@code /metrics}, with the hub's counts as measured just before.
     *
     * @param counts the hub's counts, or null when they could not be had (Redis away): the gauges that need the store say NaN
     */
    public byte[] scrape(Hub.Stats counts) {
        boolean known = counts != null;
        clients.set(known && counts.clients() >= 0 ? counts.clients() : Double.NaN);
        rooms.set(known && counts.rooms() >= 0 ? counts.rooms() : Double.NaN);
        if (known) {
            parkedPolls.set(counts.parkedPolls());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            format.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
