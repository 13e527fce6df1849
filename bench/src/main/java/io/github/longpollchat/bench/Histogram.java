package io.github.longpollchat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Counts of non-negative values (nanoseconds) in log-linear buckets: exact below 128, then 64
 * buckets per power of two, so a percentile is off by less than 1.6 %. Small enough to send
 * between processes, and merged by adding counts. Not thread-safe: one owner at a time.
 */
final class Histogram {
    private static final int SUB = 64;
    private final long[] counts = new long[SUB * SUB + 2 * SUB];
    private long count;
    private long max;
    private long sum;

    void record(long value) {
        long v = Math.max(0, value);
        counts[index(v)]++;
        count++;
        sum += v;
        max = Math.max(max, v);
    }

    static int index(long v) {
        if (v < 2 * SUB) {
            return (int) v;
        }
        int shift = 63 - Long.numberOfLeadingZeros(v) - 6;
        return shift * SUB + (int) (v >>> shift);
    }

    /** The middle of bucket {@code i}. */
    static long value(int i) {
        if (i < 2 * SUB) {
            return i;
        }
        int shift = i / SUB - 1;
        long m = i - (long) shift * SUB;
        return (m << shift) + ((1L << shift) >> 1);
    }

    long count() {
        return count;
    }

    long max() {
        return max;
    }

    double mean() {
        return count == 0 ? 0 : (double) sum / count;
    }

    /** The value at or below which {@code percent} of the values lie; 0 when empty. */
    long percentile(double percent) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percent / 100.0 * count));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(value(i), max);
            }
        }
        return max;
    }

    void add(Histogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        count += other.count;
        sum += other.sum;
        max = Math.max(max, other.max);
    }

    ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("count", count).put("sum", sum).put("max", max);
        var buckets = json.putArray("buckets");
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                buckets.add(i).add(counts[i]);
            }
        }
        return json;
    }

    static Histogram fromJson(JsonNode json) {
        Histogram h = new Histogram();
        h.count = json.get("count").asLong();
        h.sum = json.get("sum").asLong();
        h.max = json.get("max").asLong();
        JsonNode buckets = json.get("buckets");
        for (int i = 0; i < buckets.size(); i += 2) {
            h.counts[buckets.get(i).asInt()] = buckets.get(i + 1).asLong();
        }
        return h;
    }
}
