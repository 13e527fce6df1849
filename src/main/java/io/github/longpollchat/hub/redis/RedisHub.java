package io.github.longpollchat.hub.redis;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.config.SettingsException;
import io.github.longpollchat.hub.DisplayName;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.hub.HubEvents;
import io.github.longpollchat.hub.JoinResult;
import io.github.longpollchat.hub.Json;
import io.github.longpollchat.hub.PollResult;
import io.github.longpollchat.hub.PostedEvent;
import io.github.longpollchat.hub.Reason;
import io.github.longpollchat.hub.Refusal;
import io.github.longpollchat.hub.Tokens;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The chat in Redis, shared by every node (jar or WAR) given the same Redis and settings: any
 * request may go to any node. The rules run in Redis, one atomic function call per request
 * ({@link ChatFunctions}, chat.lua), except polls, which go many to a call under load
 * ({@link GroupedCalls}); this class turns requests into those calls and their answers into the
 * hub's results, and holds this node's parked polls ({@link WakeUps}).
 *
 * <p>A node has one command connection and one pub/sub connection, both Lettuce's, asynchronous:
 * no request thread waits for Redis, and no parked poll holds a thread. A call that Redis does
 * not answer within {@value #CALL_SECONDS} s, or while it cannot be reached, fails the request
 * with {@code store_unavailable}; the connections come back by themselves when Redis does.
 *
 * <p>Threading: the stages complete on Lettuce's I/O threads; what runs there (building results,
 * answering polls, whose answers are written without blocking) never blocks.
 */
public final class RedisHub implements Hub {
    private static final Logger LOG = LoggerFactory.getLogger(RedisHub.class);
    /** How long start-up waits for Redis to answer. */
    static final int START_SECONDS = 10;
    /** How long a call may take before the request gets {@code store_unavailable}. */
    static final int CALL_SECONDS = 2;
    private static final int NEW_ID_TRIES = 3;
    /** Polls per {@code chat1_polls} call at most. */
    private static final int POLLS_PER_CALL = 200;

    private final int pollTimeout;
    private final int maxText;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final ChatFunctions functions;
    private final GroupedCalls polls;
    private final WakeUps wakeUps;
    private final RedisSweeper sweeper;
    private final HubEvents events;
    private Disposable reconnects;
    private volatile boolean shuttingDown;

    private RedisHub(Settings settings, HubEvents events, RedisClient client, StatefulRedisConnection<String, String> commands,
                     StatefulRedisPubSubConnection<String, String> pubsub) {
        this.events = events;
        this.pollTimeout = settings.get(Option.POLL_TIMEOUT);
        this.maxText = settings.get(Option.MAX_TEXT);
        this.client = client;
        this.commands = commands;
        this.pubsub = pubsub;
        this.functions = new ChatFunctions(commands.async(), settings, events);
        this.wakeUps = new WakeUps(functions);
        Liveness liveness = Liveness.of(TimeUnit.SECONDS.toMillis(settings.get(Option.CLIENT_TTL)));
        this.polls = new GroupedCalls(functions, "chat1_polls", new Object[] {liveness.slackMillis()}, POLLS_PER_CALL);
        this.sweeper = new RedisSweeper(wakeUps, functions, liveness);
    }

    /**
     * Connects to the Redis of the {@code redis} setting, waiting up to {@value #START_SECONDS} s
     * for it, loads the chat's functions and subscribes to the wake-ups.
     *
     * @throws SettingsException naming {@code redis} when it does not answer in time, or is no Redis 7
     */
    public static RedisHub connect(Settings settings) {
        return connect(settings, HubEvents.NONE);
    }

    /** As {@link #connect(Settings)}, telling {@code events} of posts, evictions, expiries and Redis' calls and reconnects. */
    public static RedisHub connect(Settings settings, HubEvents events) {
        RedisURI uri = RedisURI.create(settings.text(Option.REDIS));
        uri.setTimeout(Duration.ofSeconds(CALL_SECONDS));
        String where = uri.getHost() + ":" + uri.getPort();
        // Lettuce's reconnect waits double up to 30 s; a node should be back within a second of Redis.
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                // While Redis is away, calls fail at once (store_unavailable) rather than queue up.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // A call cut off by a lost connection is not sent again on reconnect, when its request
                // has long been answered store_unavailable: a send must not post behind its client's back
                // (the client retries it, with its msgId, safely).
                .replayFilter(command -> true)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(CALL_SECONDS)))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
                .build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        StatefulRedisConnection<String, String> commands = null;
        StatefulRedisPubSubConnection<String, String> pubsub = null;
        try {
            while (true) {
                try {
                    commands = commands != null ? commands : client.connect();
                    pubsub = client.connectPubSub();
                    break;
                } catch (RedisException e) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new SettingsException("--redis: " + where + " did not answer within " + START_SECONDS + " s");
                    }
                    Thread.sleep(250);
                }
            }
            RedisHub hub = new RedisHub(settings, events, client, commands, pubsub);
            hub.start(where);
            return hub;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown(client);
            throw new SettingsException("--redis: interrupted while connecting to " + where);
        } catch (RuntimeException e) {
            shutdown(client);
            throw e;
        }
    }

    private void start(String where) {
        try {
            functions.load().toCompletableFuture().get(CALL_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            sweeper.close();
            throw new SettingsException("--redis: " + where + " did not take the chat's functions (Redis 7 or later is needed): " + e.getMessage());
        }
        pubsub.addListener(wakeUps);
        pubsub.sync().subscribe(WakeUps.CHANNEL);
        // From now on every connection made is one come back.
        reconnects = client.getResources().eventBus().get()
                .filter(ConnectionActivatedEvent.class::isInstance)
                .subscribe(activated -> events.storeReconnected());
        LOG.info("chat kept in redis at {}", where);
    }

    @Override
    public int pollTimeoutSeconds() {
        return pollTimeout;
    }

    @Override
    public int maxText() {
        return maxText;
    }

    @Override
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    @Override
    public CompletionStage<JoinResult> join(String name, String room, String clientId, String address) {
        String resume = clientId == null ? "" : ClientDigest.of(clientId);
        return join(name, room, clientId, resume, ClientDigest.ofAddress(address), NEW_ID_TRIES);
    }

    private CompletionStage<JoinResult> join(String name, String room, String clientId, String resume, String address,
                                             int tries) {
        String newId = Tokens.newClientId();
        String digest = ClientDigest.of(newId);
        return functions.call("chat1_join", room, digest, resume, name, DisplayName.key(name), Json.string(name), address)
                .thenCompose(answer -> {
                    Reply reply = new Reply(answer);
                    switch (reply.kind()) {
                        case "resumed":
                            return CompletableFuture.completedFuture(joined(clientId, room, reply));
                        case "joined":
                            LOG.info("join room={} client={} key={}", room, Tokens.redact(newId), ClientDigest.shown(digest));
                            return CompletableFuture.completedFuture(joined(newId, room, reply));
                        case "taken":
                            throw Reason.NAME_TAKEN.refusal();
                        case "many":
                            throw Reason.TOO_MANY_CLIENTS.refusal();
                        case "full":
                            throw Reason.SERVER_FULL.refusal("The server has as many " + reply.text(1) + " as it may hold.");
                        default:
                            // The new id's digest names a live client: all but impossible, and another id will do.
                            if (tries > 1) {
                                return join(name, room, clientId, resume, address, tries - 1);
                            }
                            throw new IllegalStateException("no unused client id in " + NEW_ID_TRIES + " tries");
                    }
                });
    }

    /** {@code {kind, name, cursor, member count, first history id, history, names}} */
    private JoinResult joined(String clientId, String room, Reply reply) {
        List<PostedEvent> history = reply.events(4, 5);
        return new JoinResult(clientId, reply.text(1), room, reply.number(2), history, reply.texts(6),
                (int) reply.number(3), pollTimeout * 1000);
    }

    @Override
    public CompletionStage<Long> send(String clientId, String text, String msgId) {
        return functions.call("chat1_send", ClientDigest.of(clientId), Json.string(text), msgId == null ? "" : msgId)
                .thenApply(answer -> {
                    Reply reply = new Reply(answer);
                    switch (reply.kind()) {
                        case "sent":
                            return reply.number(1);
                        case "rate":
                            throw Refusal.rateLimited(reply.number(1));
                        default:
                            throw Reason.UNKNOWN_CLIENT.refusal();
                    }
                });
    }

    @Override
    public CompletionStage<PollResult> poll(String clientId, long cursor, int timeoutSeconds) {
        String digest = ClientDigest.of(clientId);
        int waitMillis = shuttingDown ? 0 : timeoutSeconds * 1000;
        long subscriptions = wakeUps.subscriptions();
        return polls.call(digest, cursor, waitMillis).thenCompose(answer -> {
            // One text per poll rather than a list: less for Lettuce to decode. "n <ack> <last> <ts> <room>",
            // "p <gen> <ack> <room>" or "g".
            String text = (String) answer;
            if (text.startsWith("n ")) {
                String[] parts = text.split(" ", 5);
                return wakeUps.answerNow(parts[4], Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]));
            }
            if (!text.startsWith("p ")) {
                throw Reason.UNKNOWN_CLIENT.refusal();
            }
            String[] parts = text.split(" ", 4);
            long gen = Long.parseLong(parts[1]);
            long ack = Long.parseLong(parts[2]);
            String room = parts[3];
            CompletableFuture<PollResult> answered = new CompletableFuture<>();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            wakeUps.park(new RedisPoll(digest, room, ack, gen, deadline, answered), subscriptions);
            if (shuttingDown) {
                // Shutdown may have answered the parked polls just before this one parked.
                wakeUps.shutdown();
            }
            return answered;
        });
    }

    @Override
    public CompletionStage<Void> leave(String clientId, int graceSeconds) {
        return functions.call("chat1_leave", ClientDigest.of(clientId), graceSeconds).thenApply(answer -> null);
    }

    @Override
    public void shutdown() {
        shuttingDown = true;
        wakeUps.shutdown();
    }

    @Override
    public void close() {
        shutdown();
        sweeper.close();
        if (reconnects != null) {
            reconnects.dispose();
        }
        pubsub.close();
        commands.close();
        shutdown(client);
    }

    /** Closes the client and the threads of its resources, which it does not own. */
    private static void shutdown(RedisClient client) {
        client.shutdown(0, CALL_SECONDS, TimeUnit.SECONDS);
        client.getResources().shutdown(0, CALL_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * The whole chat's clients, rooms and grace leaves, asked of Redis (waiting up to
     * {@value #CALL_SECONDS} s; -1 each when it does not answer), and the polls parked on this node.
     */
    @Override
    public Stats stats() {
        try {
            return measure().toCompletableFuture().get(CALL_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("no counts from redis", e);
        }
        return new Stats(-1, -1, wakeUps.parked(), 0, -1);
    }

    /** As {@link #stats()}, without waiting: fails with {@code store_unavailable} when Redis does not answer within {@value #CALL_SECONDS} s. */
    @Override
    public CompletionStage<Stats> measure() {
        return functions.call("chat1_counts").thenApply(answer -> {
            Reply counts = new Reply(answer);
            return new Stats((int) counts.number(0), (int) counts.number(1), wakeUps.parked(), 0, (int) counts.number(2));
        });
    }
}
