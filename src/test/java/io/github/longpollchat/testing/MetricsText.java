package io.github.longpollchat.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A scrape of {@code /metrics} read back: each sample line of Prometheus' text format by its series,
 * as written ({@code chat_errors_total{code="not_found"}}). A line that is neither a comment nor
 * {@code series value} fails the parse, so a test also checks that the text is the format.
 */
public record MetricsText(Map<String, Double> samples, String text) {
    public static MetricsText parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                throw new IllegalArgumentException("not a sample line: " + line);
            }
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return new MetricsText(samples, text);
    }

    /** The series' value; 0 when it is not there yet (a counter or label not yet touched). */
    public double value(String series) {
        return samples.getOrDefault(series, 0.0);
    }

    public boolean has(String series) {
        return samples.containsKey(series);
    }
}
