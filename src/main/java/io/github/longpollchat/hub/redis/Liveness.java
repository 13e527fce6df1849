package io.github.longpollchat.hub.redis;

/**
 * How a node keeps the clients of its parked polls alive in Redis: every {@link #renewMillis()}
 * it sets their expiry to {@link #slackMillis()} past the client TTL from now, and a poll parks
 * with that much too (or its own timeout, if shorter). Redis is told nothing when a poll ends, so
 * a client whose poll ended expires between one TTL and one TTL plus the slack after that end
 * (plus the second its expiry is rounded up to): never before. The slack is three renewals, so
 * that one late or failed renewal does not expire a client whose poll is parked.
 *
 * @param renewMillis how often the renewals run: a tenth of the TTL, within 250 ms to 2 s
 * @param slackMillis three renewals
 */
record Liveness(long renewMillis, long slackMillis) {
    private static final long LEAST_MILLIS = 250;
    private static final long MOST_MILLIS = 2000;
    private static final int RENEWALS_OF_SLACK = 3;

    static Liveness of(long clientTtlMillis) {
        long renew = Math.max(LEAST_MILLIS, Math.min(MOST_MILLIS, clientTtlMillis / 10));
        return new Liveness(renew, RENEWALS_OF_SLACK * renew);
    }
}
