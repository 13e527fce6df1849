package io.github.longpollchat.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * What the server's threads were running, from the method samples of a flight recording that
 * {@code bench/run.sh --profile} takes during a measured run: the methods most often on top of a
 * sampled stack (where the CPU went), and this server's own methods by how often they were
 * anywhere on it (what each part of a request costs, Jetty's work below it included). Samples
 * cover Java code only; time in the kernel and in the JVM's own threads (GC, JIT) is not in them.
 *
 * <pre>java -cp … io.github.longpollchat.bench.HotMethods recording.jfr [rows]</pre>
 */
public final class HotMethods {
    private static final String OURS = "io.github.longpollchat.";

    private HotMethods() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: HotMethods RECORDING.jfr [ROWS]");
            System.exit(2);
        }
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            samples++;
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String name = name(frame);
                if (name.startsWith(OURS) && seen.add(name)) {
                    inclusive.merge(name, 1, Integer::sum);
                }
            }
        }
        System.out.printf("%d method samples%n%nOn top of the stack (self):%n", samples);
        print(self, samples, rows);
        System.out.printf("%nThis server's methods, anywhere on the stack (inclusive):%n");
        print(inclusive, samples, rows);
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void print(Map<String, Integer> counts, int samples, int rows) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(rows)
                .forEach(e -> System.out.printf("%7d %5.1f %%  %s%n", e.getValue(), 100.0 * e.getValue() / Math.max(1, samples), e.getKey()));
    }
}
