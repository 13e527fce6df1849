package io.github.longpollchat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What {@code /proc} says about a process: CPU time (user + system, all threads) and resident
 * memory; and, for a JVM, its live heap after a full GC (through {@code jcmd}). Linux only.
 */
final class ProcStat {
    /** {@code getconf CLK_TCK}: 100 on every Linux this runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");

    private ProcStat() {
    }

    private static String[] statFields(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name may hold spaces and parentheses; the fields start after the last ')'.
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** User + system CPU of the process so far, in nanoseconds; -1 when it is gone. */
    static long cpuNanos(long pid) {
        try {
            String[] f = statFields(pid);
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long cpuNanos(List<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            total += Math.max(0, cpuNanos(pid));
        }
        return total;
    }

    /** Resident set size in bytes; -1 when it is gone. */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static long rssBytes(List<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            total += Math.max(0, rssBytes(pid));
        }
        return total;
    }

    /** The process and its direct children (nginx: the master and its workers). */
    static List<Long> withChildren(long pid) {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.map(p -> p.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .forEach(name -> {
                        try {
                            if (Long.parseLong(statFields(Long.parseLong(name))[1]) == pid) {
                                pids.add(Long.parseLong(name));
                            }
                        } catch (IOException | RuntimeException gone) {
                            // the process ended while we looked
                        }
                    });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return pids;
    }

    /**
     * The live heap of a JVM: two full GCs through {@code jcmd PID GC.run}, then the used heap
     * from {@code GC.heap_info}. -1 if jcmd could not attach.
     */
    static long liveHeapBytes(long pid) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            run(jcmd, Long.toString(pid), "GC.run");
            run(jcmd, Long.toString(pid), "GC.run");
            Matcher m = HEAP_USED.matcher(run(jcmd, Long.toString(pid), "GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        return out;
    }
}
