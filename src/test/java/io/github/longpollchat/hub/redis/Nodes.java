package io.github.longpollchat.hub.redis;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.hub.JoinResult;
import io.github.longpollchat.hub.PollResult;
import io.github.longpollchat.hub.PostedEvent;
import io.github.longpollchat.hub.Refusal;
import io.github.longpollchat.testing.RedisServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Chat nodes in this JVM that share one private Redis, as servers on several machines would:
 * each {@link #node} has its own connections, wake-ups and sweeper. A test class registers it as
 * an extension: the nodes a test started are closed after it, and each test starts on an empty
 * Redis. And the waits the tests need, every one bounded.
 *
 * <pre>{@code @RegisterExtension static final Nodes nodes = Nodes.onSharedRedis();}</pre>
 */
final class Nodes implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    /** Longer than any call may take ({@link RedisHub#CALL_SECONDS}). */
    static final long WAIT_MILLIS = 5000;

    private final boolean freshPerTest;
    private RedisServer redis;
    private final List<RedisHub> started = new ArrayList<>();

    private Nodes(boolean freshPerTest) {
        this.freshPerTest = freshPerTest;
    }

    /** One Redis for the test class, emptied before each test. */
    static Nodes onSharedRedis() {
        return new Nodes(false);
    }

    /** A Redis of its own for each test, which may stop, kill or restart it. */
    static Nodes onFreshRedis() {
        return new Nodes(true);
    }

    RedisServer redis() {
        return redis;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (!freshPerTest) {
            redis = RedisServer.start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (freshPerTest) {
            redis = RedisServer.start();
        } else {
            redis.cli("FLUSHALL");
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (RedisHub hub : started) {
            hub.close();
        }
        started.clear();
        if (freshPerTest) {
            redis.close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!freshPerTest) {
            redis.close();
        }
    }

    /** Defaults with the chat in this Redis, but no rate limit, then the overrides. */
    static Settings settings(RedisServer redis, Object... optionValuePairs) {
        Settings settings = Settings.defaults().with(Option.REDIS, redis.uri()).with(Option.RATE_LIMIT, 0);
        for (int i = 0; i < optionValuePairs.length; i += 2) {
            settings = settings.with((Option) optionValuePairs[i], optionValuePairs[i + 1]);
        }
        return settings;
    }

    /** A new node on the shared Redis; closed with the others. */
    RedisHub node(Object... optionValuePairs) {
        RedisHub hub = RedisHub.connect(settings(redis, optionValuePairs));
        started.add(hub);
        return hub;
    }

    /** The stage's result, or the refusal it failed with, thrown. */
    static <T> T await(CompletionStage<T> stage) throws InterruptedException, TimeoutException {
        try {
            return stage.toCompletableFuture().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The refusal the stage failed with; fails the test if it did not. */
    static Refusal refusal(CompletionStage<?> stage) throws InterruptedException, TimeoutException {
        try {
            Object result = await(stage);
            throw new AssertionError("expected a refusal, got " + result);
        } catch (Refusal refusal) {
            return refusal;
        }
    }

    static JoinResult join(RedisHub node, String name, String room) throws Exception {
        return await(node.join(name, room, null, "127.0.0.1"));
    }

    /** Waits until the condition holds, at most {@code millis}. @return whether it held */
    static boolean within(long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Polls the client on that node until an event passes the test, at most {@code millis}. @return the events seen, in order */
    static List<PostedEvent> pollUntil(RedisHub node, String clientId, long cursor, long millis,
                                       java.util.function.Predicate<PostedEvent> wanted) throws Exception {
        List<PostedEvent> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - deadline < 0) {
            PollResult result = await(node.poll(clientId, cursor, 1));
            seen.addAll(result.messages());
            cursor = result.cursor();
            if (result.messages().stream().anyMatch(wanted)) {
                return seen;
            }
        }
        return seen;
    }

    /** The events of a room's log in Redis, as JSON. */
    List<String> log(String room) {
        String all = redis.cli("LRANGE", "chat:r:" + room + ":log", "0", "-1");
        return all.isEmpty() ? List.of() : List.of(all.split("\n"));
    }
}
