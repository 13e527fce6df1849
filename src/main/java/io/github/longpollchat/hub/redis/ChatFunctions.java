package io.github.longpollchat.hub.redis;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.hub.HubEvents;
import io.github.longpollchat.hub.Reason;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat's rules as Redis functions ({@code chat.lua}, one library), and the one way a node
 * calls them: FCALL with the node's settings first, the library loaded again when Redis answers
 * that it does not know the function (a Redis that lost its data, or a new one), and every
 * failure to reach Redis turned into a {@code store_unavailable} refusal. Each call's time, and
 * the events posted and clients dropped that its answer reports, are told to the {@link HubEvents}.
 */
final class ChatFunctions {
    private static final Logger LOG = LoggerFactory.getLogger(ChatFunctions.class);
    private static final String[] NO_KEYS = new String[0];

    private final RedisAsyncCommands<String, String> redis;
    private final String library;
    /** The settings every function takes first, in chat.lua's order. */
    private final String[] settings;
    /** Set while calls fail, so that an outage is logged once when it starts and once when it ends. */
    private final AtomicBoolean failing = new AtomicBoolean();
    private final HubEvents events;

    ChatFunctions(RedisAsyncCommands<String, String> redis, Settings settings, HubEvents events) {
        this.redis = redis;
        this.events = events;
        this.library = library();
        this.settings = new String[] {
            Integer.toString(settings.get(Option.HISTORY)),
            Integer.toString(settings.get(Option.MAILBOX)),
            Integer.toString(settings.get(Option.PRESENCE_LIMIT)),
            Integer.toString(settings.get(Option.MAX_CLIENTS)),
            Integer.toString(settings.get(Option.MAX_ROOMS)),
            Integer.toString(settings.get(Option.RATE_LIMIT)),
            Long.toString(TimeUnit.SECONDS.toMillis(settings.get(Option.CLIENT_TTL))),
            Long.toString(TimeUnit.SECONDS.toMillis(settings.get(Option.ROOM_TTL))),
            Integer.toString(settings.get(Option.MAX_CLIENTS_PER_ADDRESS)),
        };
    }

    private static String library() {
        try (InputStream in = ChatFunctions.class.getResourceAsStream("chat.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads the library, replacing an older one of the same name. */
    CompletionStage<String> load() {
        return redis.functionLoad(library, true);
    }

    /**
     * Calls a function of the library with these arguments after the settings.
     *
     * @return its answer; fails with a {@code store_unavailable} refusal when Redis cannot be reached
     */
    CompletionStage<List<Object>> call(String function, Object... args) {
        String[] values = new String[settings.length + args.length];
        System.arraycopy(settings, 0, values, 0, settings.length);
        for (int i = 0; i < args.length; i++) {
            values[settings.length + i] = String.valueOf(args[i]);
        }
        long started = System.nanoTime();
        return fcall(function, values)
                .exceptionallyCompose(failure -> forgotten(failure)
                        ? load().thenCompose(loaded -> fcall(function, values))
                        : CompletableFuture.failedStage(failure))
                .handle((answer, failure) -> {
                    events.storeCall(System.nanoTime() - started);
                    if (failure != null) {
                        throw unavailable(failure);
                    }
                    if (failing.compareAndSet(true, false)) {
                        LOG.info("redis answers again");
                    }
                    return answerTellingFallout(answer);
                });
    }

    /**
     * A function's own answer, out of the {answer, clients dropped, events posted} that every
     * function answers; the clients it took out (left, expired or evicted) are logged by their key,
     * as no node knows their ids then.
     */
    @SuppressWarnings("unchecked")
    private List<Object> answerTellingFallout(List<Object> answer) {
        int expired = 0;
        int evicted = 0;
        for (Object gone : (List<Object>) answer.get(1)) {
            String[] roomKeyWhy = ((String) gone).split(" ", 3);
            LOG.info("left room={} key={}", roomKeyWhy[0], ClientDigest.shown(roomKeyWhy[1]));
            expired += roomKeyWhy[2].equals("expired") ? 1 : 0;
            evicted += roomKeyWhy[2].equals("evicted") ? 1 : 0;
        }
        tell(events::expired, expired);
        tell(events::evicted, evicted);
        tell(events::posted, ((Long) answer.get(2)).intValue());
        return (List<Object>) answer.get(0);
    }

    private static void tell(IntConsumer event, int count) {
        if (count > 0) {
            event.accept(count);
        }
    }

    private CompletionStage<List<Object>> fcall(String function, String[] values) {
        return redis.fcall(function, ScriptOutputType.MULTI, NO_KEYS, values);
    }

    /** Redis answered that it has no such function: it lost the library, which a reload puts back. */
    private static boolean forgotten(Throwable failure) {
        Throwable cause = cause(failure);
        return cause instanceof RedisCommandExecutionException && String.valueOf(cause.getMessage()).contains("Function not found");
    }

    private RuntimeException unavailable(Throwable failure) {
        Throwable cause = cause(failure);
        if (cause instanceof RedisCommandExecutionException) {
            // Redis answered, with an error (out of memory, loading, a read-only replica, or a bug
            // in chat.lua): no outage to log once, but each one, with what Redis said.
            LOG.warn("redis refused a call: {}", cause.getMessage());
        } else if (failing.compareAndSet(false, true)) {
            LOG.warn("redis cannot be reached; requests that need it get store_unavailable: {}", cause.toString());
        } else {
            LOG.debug("redis call failed", cause);
        }
        return Reason.STORE_UNAVAILABLE.refusal();
    }

    private static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
