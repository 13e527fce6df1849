package io.github.longpollchat.bench;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.hub.MemoryHub;
import io.github.longpollchat.hub.PollResult;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hub's hot path, without HTTP: one message to a room of 10,000 members, each with a poll
 * parked. One operation is the whole fan-out: the message gets its id and its JSON (once), goes
 * into 10,000 mailboxes, and each parked poll is claimed, its timeout cancelled and answered;
 * each answer parks the member's next poll at once, as a browser would, so that every operation
 * finds the same room. Divide the time by the room's size for the cost of one delivery.
 *
 * <pre>mvn -B -q -Pbench -DskipTests -DskipTomcat=true package && java -cp "target/test-classes:target/classes:$(cat target/bench/classpath.txt)" org.openjdk.jmh.Main HubFanOut</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HubFanOutBenchmark {
    /** A cursor above every id: acknowledges whatever the join storm queued. */
    private static final long ABOVE_ALL = 999_999_999_999_999_999L;

    @Param({"10000"})
    public int members;

    private MemoryHub hub;
    private String sender;

    @Setup(Level.Trial)
    public void setUp() {
        hub = new MemoryHub(Settings.defaults()
                .with(Option.MAX_CLIENTS, members + 1)
                .with(Option.MAILBOX, 100_000)
                .with(Option.RATE_LIMIT, 0)
                .with(Option.POLL_TIMEOUT, 60)
                .with(Option.CLIENT_TTL, 3600));
        sender = hub.joinNow("sender", "bench", null, "127.0.0.1").clientId();
        for (int i = 0; i < members - 1; i++) {
            String id = hub.joinNow("m" + i, "bench", null, "127.0.0.1").clientId();
            PollResult acked = hub.poll(id, ABOVE_ALL, 0, result -> { });
            new Member(id).park(acked.cursor());
        }
        PollResult acked = hub.poll(sender, ABOVE_ALL, 0, result -> { });
        new Member(sender).park(acked.cursor());
        if (hub.stats().parkedPolls() != members) {
            throw new IllegalStateException("parked " + hub.stats().parkedPolls() + " of " + members);
        }
    }

    /** A member that polls again as soon as its poll is answered. */
    private final class Member implements Consumer<PollResult> {
        private final String id;

        Member(String id) {
            this.id = id;
        }

        void park(long cursor) {
            PollResult now = hub.poll(id, cursor, 60, this);
            if (now != null) {
                accept(now);
            }
        }

        @Override
        public void accept(PollResult result) {
            // After close() a poll is answered at once and must not be parked again.
            if (!hub.isShuttingDown()) {
                park(result.cursor());
            }
        }
    }

    @Benchmark
    public long sendToARoomOfParkedPolls() {
        return hub.sendNow(sender, "hello, everyone", null);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        hub.close();
    }
}
