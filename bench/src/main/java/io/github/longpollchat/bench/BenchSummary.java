package io.github.longpollchat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads the JSON lines of a bench/run.sh run and writes, beside them: {@code summary.md} (the
 * run's {@code machine.txt} if there is one; this server and Nchan side by side, the median of each
 * figure over the rounds with every round's value, the ratio; every server of the run side by side
 * when others ran too (CometD, the floors, two nodes on Redis); the targets met or not), {@code plot.dat} and
 * {@code plot.gp} for gnuplot (p99 latency and deliveries/s against N, from the fanout runs). Prints the summary.
 *
 * <pre>java -cp … io.github.longpollchat.bench.BenchSummary target/bench/results.jsonl target/bench</pre>
 */
public final class BenchSummary {
    private static final String CHAT = "chat";
    private static final String NCHAN = "nchan";
    private static final String COMETD = "cometd";
    /** Two nodes of one chat on Redis (bench/run.sh's chat-redis2). */
    private static final String CHAT_REDIS2 = "chat-redis2";

    private final Map<String, Map<String, List<JsonNode>>> runs = new LinkedHashMap<>();
    private final StringBuilder out = new StringBuilder();

    private BenchSummary(List<JsonNode> lines) {
        for (JsonNode line : lines) {
            String label = line.path("label").asText(line.path("scenario").asText());
            runs.computeIfAbsent(label, k -> new LinkedHashMap<>())
                    .computeIfAbsent(line.path("target").asText(), k -> new ArrayList<>()).add(line);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: BenchSummary RESULTS.jsonl OUTPUT_DIR");
            System.exit(2);
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                lines.add(Swarm.JSON.readTree(line));
            }
        }
        BenchSummary summary = new BenchSummary(lines);
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        Path machine = dir.resolve("machine.txt");
        if (Files.exists(machine)) {
            // Which machine and JVMs: markdown's line breaks, two spaces before each newline.
            summary.out.append(Files.readString(machine, StandardCharsets.UTF_8).strip().replace("\n", "  \n"))
                    .append("\n\n");
        }
        String text = summary.summary();
        Files.writeString(dir.resolve("summary.md"), text, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("plot.dat"), summary.plotData(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("plot.gp"), plotScript(dir.resolve("plot.dat"), dir.resolve("plot.png")),
                StandardCharsets.UTF_8);
        System.out.print(text);
    }

    private record Figure(String name, Function<JsonNode, Double> value, int digits) {
    }

    private static Figure figure(String name, String path, int digits) {
        return new Figure(name, line -> {
            JsonNode node = line;
            for (String part : path.split("\\.")) {
                node = node.path(part);
            }
            return node.isMissingNode() || node.isNull() ? null : node.asDouble();
        }, digits);
    }

    private static final List<Figure> FIGURES = List.of(
            figure("tabs parked and reached", "ready", 0),
            figure("join + park, s", "readySeconds", 2),
            figure("deliveries expected", "expected", 0),
            figure("missing", "missing", 0),
            figure("duplicated", "duplicated", 0),
            figure("errors", "errorCount", 0),
            figure("latency p50, ms", "latencyMs.p50", 2),
            figure("latency p90, ms", "latencyMs.p90", 2),
            figure("latency p99, ms", "latencyMs.p99", 2),
            figure("latency max, ms", "latencyMs.max", 1),
            figure("deliveries/s", "deliveriesPerSecond", 0),
            figure("server CPU while sending, s", "serverCpuSeconds", 2),
            figure("server CPU per delivery, µs", "serverCpuMicrosPerDelivery", 2),
            figure("server CPU while joining, s", "serverCpuJoinSeconds", 2),
            figure("server RSS, MB", "serverRssMB", 0),
            figure("live heap per parked poll, KB", "heapPerPollKB", 2),
            figure("RSS per parked poll, KB", "rssPerPollKB", 2),
            figure("load generator CPU while sending, s", "generatorCpuSeconds", 2));

    String summary() {
        out.append("| scenario | figure | longpoll-chat | Nchan | chat ÷ Nchan |\n|---|---|---:|---:|---:|\n");
        runs.forEach((label, byTarget) -> {
            for (Figure figure : FIGURES) {
                List<Double> chat = values(byTarget.get(CHAT), figure);
                List<Double> nchan = values(byTarget.get(NCHAN), figure);
                if (chat.isEmpty() && nchan.isEmpty()) {
                    continue;
                }
                Double c = median(chat);
                Double n = median(nchan);
                out.append("| ").append(label).append(" | ").append(figure.name).append(" | ")
                        .append(cell(chat, figure.digits)).append(" | ").append(cell(nchan, figure.digits))
                        .append(" | ").append(ratio(c, n)).append(" |\n");
            }
        });
        out.append("\nEach cell: the median of the rounds, every round's value in brackets.\n\n");
        servers();
        targets();
        return out.toString();
    }

    private static final List<Figure> SERVER_FIGURES = List.of(
            figure("server CPU while sending, s", "serverCpuSeconds", 2),
            figure("server CPU per delivery, µs", "serverCpuMicrosPerDelivery", 2),
            figure("with Redis's, µs", "cpuMicrosPerDelivery", 2),
            figure("Redis calls per delivery", "redisCallsPerDelivery", 3),
            figure("latency p50, ms", "latencyMs.p50", 2),
            figure("latency p99, ms", "latencyMs.p99", 2),
            figure("join + park, s", "readySeconds", 2),
            figure("server CPU while joining, s", "serverCpuJoinSeconds", 2),
            figure("server RSS, MB", "serverRssMB", 0),
            figure("RSS per parked poll, KB", "rssPerPollKB", 2),
            new Figure("missing + duplicated",
                    line -> line.path("missing").asDouble() + line.path("duplicated").asDouble(), 0));

    /**
     * Every server of the run side by side, when others than this one and Nchan ran (CometD; the
     * floors, {@code JettyFloor}: the least any server on this Jetty costs), with each one's CPU
     * against this server's and Nchan's.
     */
    private void servers() {
        runs.forEach((label, byTarget) -> {
            if (byTarget.keySet().stream().allMatch(target -> target.equals(CHAT) || target.equals(NCHAN))) {
                return;
            }
            out.append("| ").append(label).append(" | ");
            SERVER_FIGURES.forEach(figure -> out.append(figure.name).append(" | "));
            out.append("CPU ÷ chat's | CPU ÷ Nchan's |\n|---|").append("---:|".repeat(SERVER_FIGURES.size() + 2))
                    .append('\n');
            Double chat = median(label, CHAT, "serverCpuSeconds");
            Double nchan = median(label, NCHAN, "serverCpuSeconds");
            byTarget.forEach((target, lines) -> {
                out.append("| ").append(target).append(" | ");
                SERVER_FIGURES.forEach(figure -> out.append(cell(values(lines, figure), figure.digits)).append(" | "));
                Double cpu = median(label, target, "serverCpuSeconds");
                out.append(ratio(cpu, chat)).append(" | ").append(ratio(cpu, nchan)).append(" |\n");
            });
            out.append('\n');
        });
    }

    private static String ratio(Double a, Double b) {
        return a != null && b != null && b != 0 ? format(a / b, 2) : "";
    }

    /** The targets, each as met or not, from the medians. */
    private void targets() {
        out.append("Targets (ratios measured in the same run; Nchan is the C reference, with no target):\n\n");
        for (String scenario : List.of("fanout-1k", "fanout-10k", "rooms", "idle")) {
            if (!scenario.equals("idle")) {
                atMost(scenario + ": server CPU per delivery ≤ 0.6 × CometD's", scenario, "serverCpuMicrosPerDelivery", COMETD, 0.6);
                atMost(scenario + ": p99 latency ≤ 0.6 × CometD's", scenario, "latencyMs.p99", COMETD, 0.6);
            }
            atMost(scenario + ": join + park ≤ 0.5 × CometD's", scenario, "readySeconds", COMETD, 0.5);
        }
        atMost("idle: RSS per parked poll ≤ 0.5 × CometD's", "idle", "rssPerPollKB", COMETD, 0.5);
        atMost("idle: join + park of 19,000 tabs ≤ 2 × Nchan's", "idle", "readySeconds", NCHAN, 2);
        for (String scenario : List.of("fanout-1k", "fanout-10k")) {
            atMost(scenario + ": server CPU per delivery ≤ 1.10 × floor-servlet's", scenario, "serverCpuMicrosPerDelivery",
                    "floor-servlet", 1.10);
        }
        for (String scenario : List.of("fanout-1k", "rooms")) {
            Double nodes = median(scenario, CHAT_REDIS2, "cpuMicrosPerDelivery");
            Double one = median(scenario, CHAT, "serverCpuMicrosPerDelivery");
            check(scenario + ": CPU per delivery of 2 nodes and Redis ≤ 1.5 × one node in memory", nodes, one,
                    nodes != null && one != null && nodes <= 1.5 * one, "%.2f vs %.2f µs");
        }
        Double joinCpu = median("fanout-10k", CHAT, "serverCpuJoinSeconds");
        check("fanout-10k: server CPU while joining 10,000 tabs ≤ 3 s", joinCpu, 3.0, joinCpu != null && joinCpu <= 3,
                "%.2f s, target %.0f s");
        Double perPoll = median("idle", CHAT, "heapPerPollKB");
        Double parked = min("idle", CHAT, "ready");
        Double idleLost = max("idle", CHAT, "missing");
        check("idle: 19,000 parked in -Xmx768m, ≤ 20 KB live heap per parked poll, a send reaches all", perPoll, parked,
                perPoll != null && perPoll <= 20 && parked != null && parked >= 19000 && idleLost != null && idleLost == 0,
                "%.2f KB per poll, %.0f parked");
        out.append("\n`rooms` saturates the 2 cores for every server: its latencies measure a machine at its limit.\n");
        out.append("\nNo run may lose or double a delivery: ");
        boolean clean = runs.values().stream().flatMap(m -> m.values().stream()).flatMap(List::stream)
                .allMatch(line -> line.path("missing").asLong() == 0 && line.path("duplicated").asLong() == 0);
        out.append(clean ? "none did.\n" : "SOME DID (see the table).\n");
    }

    /** This server's median figure at most {@code factor} times another target's, in the same run. */
    private void atMost(String what, String scenario, String path, String other, double factor) {
        Double chat = median(scenario, CHAT, path);
        Double theirs = median(scenario, other, path);
        boolean measured = chat != null && theirs != null && theirs > 0;
        String ratio = measured ? String.format(Locale.ROOT, ", %.2f ×", chat / theirs) : "";
        check(what, chat, theirs, measured && chat <= factor * theirs, "%.2f vs %.2f" + ratio);
    }

    private void check(String what, Double a, Double b, boolean met, String format) {
        out.append("- ").append(what).append(": ");
        if (a == null || b == null) {
            out.append("not measured\n");
            return;
        }
        out.append(met ? "**met**" : "**not met**").append(" (").append(String.format(Locale.ROOT, format, a, b)).append(")\n");
    }

    /** The servers drawn in the plot, in its columns' order: p99 latencies first, then deliveries/s. */
    private static final List<String> PLOTTED = List.of(CHAT, NCHAN, COMETD);

    /** p99 latency and deliveries/s against N, from the fanout runs: N, each plotted server's p99, then its deliveries/s. */
    String plotData() {
        StringBuilder data = new StringBuilder("# N");
        PLOTTED.forEach(target -> data.append("  ").append(target).append("_p99_ms"));
        PLOTTED.forEach(target -> data.append("  ").append(target).append("_deliveries_per_s"));
        data.append("  label\n");
        List<String[]> rows = new ArrayList<>();
        runs.forEach((label, byTarget) -> {
            JsonNode any = byTarget.values().iterator().next().get(0);
            if (!any.path("scenario").asText().equals("fanout")) {
                return;
            }
            List<String> row = new ArrayList<>(List.of(any.path("clients").asText()));
            PLOTTED.forEach(target -> row.add(orDash(median(label, target, "latencyMs.p99"))));
            PLOTTED.forEach(target -> row.add(orDash(median(label, target, "deliveriesPerSecond"))));
            row.add(label);
            rows.add(row.toArray(String[]::new));
        });
        rows.sort((x, y) -> Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0])));
        for (String[] row : rows) {
            data.append(String.join(" ", row)).append('\n');
        }
        return data.toString();
    }

    static String plotScript(Path data, Path png) {
        return String.join("\n",
                "# Drawn by bench/run.sh: gnuplot " + png.resolveSibling("plot.gp"),
                "set terminal pngcairo size 1200,480 font ',11'",
                "set output '" + png + "'",
                "set datafile missing '-'",
                "set multiplot layout 1,2 title 'longpoll-chat vs Nchan and CometD, fanout (one room, N long-polling tabs)'",
                "set logscale x",
                "set xlabel 'N (tabs in the room)'",
                "set grid",
                "set key top left",
                "set ylabel 'p99 latency, send to receipt (ms)'",
                "set logscale y",
                "plot '" + data + "' using 1:2 with linespoints lw 2 pt 7 title 'longpoll-chat', \\",
                "     '' using 1:3 with linespoints lw 2 pt 5 title 'Nchan', \\",
                "     '' using 1:4 with linespoints lw 2 pt 9 title 'CometD'",
                "unset logscale y",
                "set ylabel 'deliveries per second'",
                "set yrange [0:*]",
                "plot '" + data + "' using 1:5 with linespoints lw 2 pt 7 title 'longpoll-chat', \\",
                "     '' using 1:6 with linespoints lw 2 pt 5 title 'Nchan', \\",
                "     '' using 1:7 with linespoints lw 2 pt 9 title 'CometD'",
                "unset multiplot",
                "");
    }

    private List<JsonNode> lines(String label, String target) {
        return runs.getOrDefault(label, Map.of()).getOrDefault(target, List.of());
    }

    private Double median(String label, String target, String path) {
        return median(values(lines(label, target), figure("", path, 0)));
    }

    private Double max(String label, String target, String path) {
        return values(lines(label, target), figure("", path, 0)).stream().max(Double::compare).orElse(null);
    }

    private Double min(String label, String target, String path) {
        return values(lines(label, target), figure("", path, 0)).stream().min(Double::compare).orElse(null);
    }

    private static List<Double> values(List<JsonNode> lines, Figure figure) {
        List<Double> values = new ArrayList<>();
        if (lines != null) {
            for (JsonNode line : lines) {
                Double value = figure.value.apply(line);
                if (value != null) {
                    values.add(value);
                }
            }
        }
        return values;
    }

    static Double median(List<Double> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String cell(List<Double> values, int digits) {
        if (values.isEmpty()) {
            return "";
        }
        StringBuilder cell = new StringBuilder(format(median(values), digits));
        if (values.size() > 1) {
            cell.append(" (");
            for (int i = 0; i < values.size(); i++) {
                cell.append(i == 0 ? "" : ", ").append(format(values.get(i), digits));
            }
            cell.append(')');
        }
        return cell.toString();
    }

    private static String orDash(Double value) {
        return value == null ? "-" : format(value, 3);
    }

    static String format(double value, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", value);
    }
}
