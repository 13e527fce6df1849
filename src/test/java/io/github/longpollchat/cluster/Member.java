package io.github.longpollchat.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.testing.ChatClient;
import io.github.longpollchat.testing.Reply;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A member of a room as a careful client is one, for the cluster tests: it polls with the cursor
 * of the last event it took, again at once after each answer, and after a refusal or a broken
 * connection again 100 ms later with the same cursor; it sends each text with a {@code msgId},
 * again until one answer is 200. It keeps what it saw: every event's id in order (so that gaps
 * and repeats show), when each message text arrived, and every answer that was not a 200.
 *
 * <p>Threading: one thread polls; {@link #send} is called from others; what is read across
 * threads is in concurrent maps or read after the polling thread has ended.
 */
final class Member {
    private static final long RETRY_MILLIS = 100;

    final String name;
    final String clientId;
    private final ChatClient http;
    private long cursor;
    /** Every event id taken, in order. */
    final List<Long> ids = new ArrayList<>();
    /** Message text → when it arrived (nanoTime), the first time; repeats counted in {@link #repeated}. */
    final Map<String, Long> texts = new ConcurrentHashMap<>();
    int repeated;
    /** "503 store_unavailable", "502", "IOException" … → how many times. */
    final Map<String, Integer> refusals = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    private Member(ChatClient http, String name, String clientId, long cursor) {
        this.http = http;
        this.name = name;
        this.clientId = clientId;
        this.cursor = cursor;
    }

    /** Joins through {@code http}; the join must succeed. */
    static Member join(ChatClient http, String name, String room) {
        JsonNode joined = http.join(name, room);
        return new Member(http, name, joined.get("clientId").asText(), joined.get("cursor").asLong());
    }

    /** {@code count} members named {@code prefix0}, {@code prefix1} …, joined one after the other through {@code http}. */
    static List<Member> joinAll(ChatClient http, String prefix, int count, String room) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add(join(http, prefix + i, room));
        }
        return members;
    }

    /** Each member polls on a thread of {@code pool}, as {@link #pollUntil}. */
    static List<Future<?>> pollAll(ExecutorService pool, List<Member> members, long deadline, int timeoutSeconds) {
        List<Future<?>> polling = new ArrayList<>();
        for (Member member : members) {
            polling.add(pool.submit(() -> {
                member.pollUntil(deadline, timeoutSeconds);
                return null;
            }));
        }
        return polling;
    }

    /** Stops the members and waits for each poll loop to end: its last poll's timeout at the most, and 30 s. */
    static void stopAll(List<Member> members, List<Future<?>> polling, int timeoutSeconds) throws Exception {
        members.forEach(Member::stop);
        for (Future<?> poll : polling) {
            poll.get(timeoutSeconds + 30, TimeUnit.SECONDS);
        }
    }

    /**
     * Polls until {@link #stop()} or the deadline (nanoTime), whichever is first; a {@code 410}
     * (the client lost) ends it with an error.
     */
    void pollUntil(long deadline, int timeoutSeconds) throws InterruptedException {
        while (!stopped && System.nanoTime() - deadline < 0) {
            Reply reply;
            try {
                reply = http.poll(clientId, cursor, timeoutSeconds);
            } catch (UncheckedIOException e) {
                refused(e.getCause().getClass().getSimpleName());
                continue;
            }
            if (reply.status() == 410) {
                throw new AssertionError(name + " was forgotten: " + reply);
            }
            if (reply.status() != 200) {
                refused(describe(reply));
                continue;
            }
            take(reply.json());
        }
    }

    private void take(JsonNode answer) {
        long now = System.nanoTime();
        for (JsonNode event : answer.get("messages")) {
            ids.add(event.get("id").asLong());
            if (event.get("type").asText().equals("message")) {
                String text = event.get("text").asText();
                if (texts.putIfAbsent(text, now) != null) {
                    repeated++;
                }
            }
        }
        cursor = answer.get("cursor").asLong();
    }

    /** "503 store_unavailable", or the bare status of an answer that is not the protocol's (a balancer's 502 page). */
    static String describe(Reply reply) {
        try {
            String error = reply.error();
            return reply.status() + (error == null ? "" : " " + error);
        } catch (UncheckedIOException notJson) {
            return Integer.toString(reply.status());
        }
    }

    private void refused(String what) throws InterruptedException {
        refusals.merge(what, 1, Integer::sum);
        Thread.sleep(RETRY_MILLIS);
    }

    void stop() {
        stopped = true;
    }

    /**
     * Sends {@code text} with {@code msgId}, again and again until an answer is 200 or the deadline
     * passes; returns the message's id, or -1 if none was 200 in time.
     */
    long send(String text, String msgId, long deadline) throws InterruptedException {
        while (System.nanoTime() - deadline < 0) {
            try {
                Reply reply = http.postForm("send_msg", "clientId", clientId, "text", text, "msgId", msgId);
                if (reply.status() == 200) {
                    return reply.json().get("id").asLong();
                }
                if (reply.status() == 410) {
                    throw new AssertionError(name + " was forgotten: " + reply);
                }
                refused(describe(reply));
            } catch (UncheckedIOException e) {
                refused(e.getCause().getClass().getSimpleName());
            }
        }
        return -1;
    }

    /** Ids that are not the previous + 1, as "after 41: 43" lines; empty when contiguous. */
    List<String> breaks() {
        List<String> breaks = new ArrayList<>();
        for (int i = 1; i < ids.size(); i++) {
            if (ids.get(i) != ids.get(i - 1) + 1) {
                breaks.add("after " + ids.get(i - 1) + ": " + ids.get(i));
            }
        }
        return breaks;
    }

    /** The texts of {@code expected} this member never received. */
    List<String> missing(Iterable<String> expected) {
        List<String> missing = new ArrayList<>();
        for (String text : expected) {
            if (!texts.containsKey(text)) {
                missing.add(text);
            }
        }
        return missing;
    }

    static Map<String, Integer> refusals(List<Member> members) {
        Map<String, Integer> all = new TreeMap<>();
        members.forEach(m -> m.refusals.forEach((what, n) -> all.merge(what, n, Integer::sum)));
        return all;
    }

    /** A short account for a failure message: never the whole clientId. */
    @Override
    public String toString() {
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("client", clientId.substring(0, 4) + "…");
        account.put("events", ids.size());
        account.put("texts", texts.size());
        account.put("refusals", refusals);
        return name + account;
    }
}
