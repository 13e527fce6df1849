package io.github.longpollchat.hub.redis;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Group commit of one batch function's entries (a poll each, for {@code chat1_polls}): while its
 * call is out, further entries wait, and go together in the next call when it returns. At low load
 * every entry goes alone and at once; under load one call carries many, so Redis's cost per call
 * and Lettuce's per command (a future, encoding, decoding) are shared, and the calls per entry
 * fall as the load rises, whatever the rooms' sizes.
 *
 * <p>Entries go in the order they came, within a call and from one call to the next, so the
 * function sees them as if each had been its own call. A call that fails fails each of its entries
 * with the same refusal; each entry's stage completes exactly once.
 *
 * <p>Threading: any thread may add entries; the next call is sent by the thread that completed
 * the last one (Lettuce's I/O thread), before that call's entries are answered.
 */
final class GroupedCalls {
    private final ChatFunctions functions;
    private final String function;
    /** The arguments that go once before a call's entries. */
    private final Object[] head;
    private final int maxEntries;
    /** Entries waiting for the call out to return; guarded by this. */
    private final ArrayDeque<Entry> waiting = new ArrayDeque<>();
    /** Whether a call is out; guarded by this. */
    private boolean calling;

    private record Entry(Object[] args, CompletableFuture<Object> answer) {
    }

    /**
     * @param head the arguments that go once before a call's entries
     * @param maxEntries entries per call at most: a bound on each call's time in Redis
     */
    GroupedCalls(ChatFunctions functions, String function, Object[] head, int maxEntries) {
        this.functions = functions;
        this.function = function;
        this.head = head.clone();
        this.maxEntries = maxEntries;
    }

    /** @return this entry's own answer, out of the call's answers: a text or a list, as the function answers it */
    CompletionStage<Object> call(Object... args) {
        Entry entry = new Entry(args, new CompletableFuture<>());
        List<Entry> group;
        synchronized (this) {
            waiting.add(entry);
            group = calling ? null : next();
        }
        if (group != null) {
            send(group);
        }
        return entry.answer;
    }

    /** Takes the next group out of the queue, or notes that no call is out when it is empty. Holding this. */
    private List<Entry> next() {
        calling = !waiting.isEmpty();
        if (!calling) {
            return null;
        }
        List<Entry> group = new ArrayList<>(Math.min(waiting.size(), maxEntries));
        while (!waiting.isEmpty() && group.size() < maxEntries) {
            group.add(waiting.poll());
        }
        return group;
    }

    private void send(List<Entry> group) {
        List<Object> args = new ArrayList<>();
        Collections.addAll(args, head);
        for (Entry entry : group) {
            Collections.addAll(args, entry.args);
        }
        functions.call(function, args.toArray()).whenComplete((answers, failure) -> {
            List<Entry> following;
            synchronized (this) {
                following = next();
            }
            try {
                if (following != null) {
                    send(following);
                }
            } finally {
                answer(group, answers, failure);
            }
        });
    }

    private static void answer(List<Entry> group, List<Object> answers, Throwable failure) {
        for (int i = 0; i < group.size(); i++) {
            if (failure != null) {
                group.get(i).answer.completeExceptionally(failure);
            } else {
                group.get(i).answer.complete(answers.get(i));
            }
        }
    }
}
