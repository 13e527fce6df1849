package io.github.longpollchat.hub;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The memory engine's {@code max-clients-per-address}: live clients, and joins under way that
 * have reserved a place, per address. An address is held only while it has some; with no cap (0)
 * nothing is counted.
 */
final class AddressCounts {
    private final int max;
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

    AddressCounts(int max) {
        this.max = max;
    }

    /** @return whether the address had room for one more, which it now holds */
    boolean take(String address) {
        if (max == 0) {
            return true;
        }
        boolean[] taken = {false};
        counts.compute(address, (key, count) -> {
            int now = count == null ? 0 : count;
            if (now >= max) {
                return count;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Gives back one place that {@link #take} gave. */
    void release(String address) {
        if (max != 0) {
            counts.computeIfPresent(address, (key, count) -> count == 1 ? null : count - 1);
        }
    }

    /** Addresses held: for tests that check nothing is left behind. */
    int addresses() {
        return counts.size();
    }
}
