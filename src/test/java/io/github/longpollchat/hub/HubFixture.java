package io.github.longpollchat.hub;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/** A hub with test settings, and a recorder of the answers its parked polls get. */
final class HubFixture {
    private HubFixture() {
    }

    /**
     * Defaults, but no rate limit and the largest mailbox (race tests send thousands of messages
     * from a client that never polls), then the overrides.
     */
    static MemoryHub hub(Object... optionValuePairs) {
        return new MemoryHub(settings(optionValuePairs), HubEvents.NONE, true);
    }

    /** As {@link #hub}, but nothing sweeps unless the test calls {@code hub.sweeper.sweep()}. */
    static MemoryHub unsweptHub(Object... optionValuePairs) {
        return new MemoryHub(settings(optionValuePairs), HubEvents.NONE, false);
    }

    private static Settings settings(Object... optionValuePairs) {
        Settings settings = Settings.defaults().with(Option.RATE_LIMIT, 0).with(Option.MAILBOX, 100000);
        for (int i = 0; i < optionValuePairs.length; i += 2) {
            settings = settings.with((Option) optionValuePairs[i], optionValuePairs[i + 1]);
        }
        return settings;
    }

    /** Records every answer given to a poll; a poll must be answered exactly once. */
    static final class Answers implements Consumer<PollResult> {
        final List<PollResult> received = new CopyOnWriteArrayList<>();

        @Override
        public void accept(PollResult result) {
            received.add(result);
        }

        /** Waits (bounded) for the first answer. */
        PollResult awaitFirst(long millis) throws InterruptedException {
            long deadline = System.nanoTime() + millis * 1_000_000;
            while (received.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            return received.isEmpty() ? null : received.get(0);
        }
    }

    /** A reader and a writer in one room: the cast of most race tests. */
    record Duo(JoinResult reader, JoinResult writer) {
        static Duo join(MemoryHub hub) {
            return new Duo(hub.joinNow("reader", "race", null, "127.0.0.1"), hub.joinNow("writer", "race", null, "127.0.0.1"));
        }

        /** The id of the writer's join: the last event before the race begins. */
        long lastJoinId() {
            return writer.cursor() + 1;
        }
    }

    /**
     * Runs two actions at the same moment, round after round, on two kept threads. Both wait at a
     * barrier, then spin to one start time a little ahead: the thread that trips a barrier runs on
     * at once while the other is still being woken, a head start that a loaded machine can make
     * the same every round, and the tests need both orders to come. In about half the rounds,
     * chosen at random, one side also starts up to 10 µs late; the others keep the race as tight
     * as it gets.
     */
    static final class Racer implements AutoCloseable {
        private static final long LEAD_NANOS = 200_000;
        private static final long MAX_SKEW_NANOS = 10_000;
        private final ExecutorService pool = Executors.newFixedThreadPool(2);

        record Both<A, B>(A first, B second) {
        }

        <A, B> Both<A, B> race(Callable<A> first, Callable<B> second) throws Exception {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long skew = random.nextBoolean() ? random.nextLong(-MAX_SKEW_NANOS, MAX_SKEW_NANOS + 1) : 0;
            long[] start = new long[1];
            // The barrier's action runs before either thread is let go, so both see the start time.
            CyclicBarrier ready = new CyclicBarrier(2, () -> start[0] = System.nanoTime() + LEAD_NANOS);
            Future<A> a = pool.submit(() -> {
                ready.await();
                spinUntil(start[0] + Math.max(skew, 0));
                return first.call();
            });
            Future<B> b = pool.submit(() -> {
                ready.await();
                spinUntil(start[0] + Math.max(-skew, 0));
                return second.call();
            });
            return new Both<>(a.get(), b.get());
        }

        private static void spinUntil(long nanoTime) {
            while (System.nanoTime() - nanoTime < 0) {
                Thread.onSpinWait();
            }
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }

    static List<Long> ids(PollResult result) {
        return result.messages().stream().map(PostedEvent::id).toList();
    }
}
