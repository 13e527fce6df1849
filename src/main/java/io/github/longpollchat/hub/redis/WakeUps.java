package io.github.longpollchat.hub.redis;

import io.github.longpollchat.hub.PollResult;
import io.github.longpollchat.hub.PostedEvent;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's parked polls and what answers them: the wake-ups every node hears on one channel,
 * {@value #CHANNEL} (a new event, a poll superseded, a client gone; see chat.lua), their
 * timeouts, and shutdown.
 *
 * <p>One channel for all rooms, not one per room: with no sticky sessions a room's clients poll
 * every node, so each node would listen to nearly every room anyway, and per-room subscriptions
 * would add a subscribe round trip, and a window in which a wake-up is missed, to the first poll
 * of a room on each node. A node drops what is not for its polls with one map lookup.
 *
 * <p>A wake-up for a new event carries its JSON, so a poll that had everything before it is
 * answered with no Redis call; one further behind (it missed wake-ups) reads from Redis. Nothing
 * is told to Redis when a poll is answered: while a poll is parked here, this node renews its
 * client's life in Redis every little while, for all its polls in one call ({@code chat1_alive},
 * see {@link #keepAlive}), so that when the poll ends its client's TTL runs from about then.
 *
 * <p>Lost wake-ups: parking checks the room's marks ({@link LocalRoom}); when the pub/sub
 * connection was cut and subscribed again, or a room's ids skip, wake-ups may have been lost, and
 * every poll they concern is checked against Redis ({@code chat1_check}). A poll whose Redis call
 * was made before a re-subscription is checked as it parks.
 *
 * <p>Threading: pub/sub callbacks run on the client's I/O thread, parking on whichever thread
 * Redis answered the poll's call, sweeps on the sweeper; each room's state is changed under its
 * {@link LocalRoom}'s monitor, and polls are answered after it is released. Nothing blocks.
 */
final class WakeUps extends RedisPubSubAdapter<String, String> {
    static final String CHANNEL = "chat:wake";
    private static final Logger LOG = LoggerFactory.getLogger(WakeUps.class);
    /** Polls per {@code chat1_check} call. */
    private static final int BATCH = 300;
    /** Clients per {@code chat1_alive} call. */
    private static final int ALIVE_BATCH = 1000;

    private final ChatFunctions functions;
    private final ConcurrentHashMap<String, LocalRoom> rooms = new ConcurrentHashMap<>();
    /** Subscriptions confirmed so far: more than one means the pub/sub connection was cut and subscribed again. */
    private final AtomicLong subscriptions = new AtomicLong();

    WakeUps(ChatFunctions functions) {
        this.functions = functions;
    }

    /** The subscriptions confirmed so far; a poll notes it before its Redis call (see {@link #park}). */
    long subscriptions() {
        return subscriptions.get();
    }

    /**
     * Holds a poll that Redis parked until something answers it.
     *
     * @param subscriptionsBefore {@link #subscriptions()} before the poll's Redis call
     */
    void park(RedisPoll poll, long subscriptionsBefore) {
        LocalRoom.Parking parking = inRoom(poll.room, room -> room.park(poll));
        if (parking.older() != null) {
            finish(parking.older(), PollResult.superseded(poll.ack));
        }
        if (parking.now() != null) {
            finish(poll, parking.now());
        } else if (parking.read()) {
            read(poll);
        } else if (subscriptions.get() != subscriptionsBefore) {
            check(List.of(poll));
        }
    }

    @Override
    public void message(String channel, String message) {
        try {
            switch (message.charAt(0)) {
                case 'e' -> event(message);
                case 's' -> superseded(message.split(" ", 5));
                case 'g' -> gone(message.split(" ", 3));
                default -> LOG.warn("unknown wake-up on {}", channel);
            }
        } catch (RuntimeException e) {
            LOG.error("wake-up not handled", e);
        }
    }

    /** {@code e <room> <id> <json>}: the JSON, holding spaces, is the rest of the line. */
    private void event(String message) {
        int roomEnd = message.indexOf(' ', 2);
        int idEnd = message.indexOf(' ', roomEnd + 1);
        String room = message.substring(2, roomEnd);
        long id = Long.parseLong(message.substring(roomEnd + 1, idEnd));
        long now = System.nanoTime();
        byte[] json = message.substring(idEnd + 1).getBytes(StandardCharsets.UTF_8);
        // Every event's JSON ends with its time stamp: ,"ts":1765432100000}
        long ts = Long.parseLong(message, message.lastIndexOf(':') + 1, message.length() - 1, 10);
        PollResult news = PollResult.batch(List.of(PostedEvent.stored(id, json)));
        LocalRoom.Woken woken = inRoom(room, local -> local.event(id, ts, news, now));
        for (RedisPoll poll : woken.next()) {
            finish(poll, news);
        }
        woken.behind().forEach(this::read);
        if (woken.gap()) {
            check(inRoom(room, LocalRoom::parked));
        }
    }

    /** {@code s <room> <digest> <gen> <ack>} */
    private void superseded(String[] parts) {
        long gen = Long.parseLong(parts[3]);
        long ack = Long.parseLong(parts[4]);
        RedisPoll older = inRoom(parts[1], room -> room.supersede(parts[2], gen, ack, System.nanoTime()));
        if (older != null) {
            finish(older, PollResult.superseded(ack));
        }
    }

    /** {@code g <room> <digest>} */
    private void gone(String[] parts) {
        RedisPoll parked = inRoom(parts[1], room -> room.end(parts[2], System.nanoTime()));
        if (parked != null) {
            finish(parked, PollResult.GONE);
        }
    }

    /** The subscription is confirmed: at start-up, and again each time the connection came back. */
    @Override
    public void subscribed(String channel, long count) {
        if (subscriptions.incrementAndGet() == 1) {
            return;
        }
        LOG.info("subscribed again to {}: checking every parked poll for wake-ups missed meanwhile", channel);
        List<RedisPoll> parked = new ArrayList<>();
        for (LocalRoom room : rooms.values()) {
            parked.addAll(inRoom(room.name, local -> {
                local.forgetLast();
                return local.parked();
            }));
        }
        check(parked);
    }

    /** Asks Redis what became of polls whose wake-ups may have been lost, and answers those that are due. */
    private void check(List<RedisPoll> polls) {
        for (int from = 0; from < polls.size(); from += BATCH) {
            List<RedisPoll> batch = polls.subList(from, Math.min(polls.size(), from + BATCH));
            Object[] args = new Object[batch.size() * 3];
            for (int i = 0; i < batch.size(); i++) {
                RedisPoll poll = batch.get(i);
                args[3 * i] = poll.digest;
                args[3 * i + 1] = poll.gen;
                args[3 * i + 2] = poll.ack;
            }
            functions.call("chat1_check", args).whenComplete((answer, failure) -> {
                if (failure != null) {
                    return; // Redis is away; the polls wait out their timeout, as the protocol says.
                }
                Reply reply = new Reply(answer);
                for (int i = 0; i < batch.size(); i++) {
                    settleChecked(batch.get(i), reply.text(2 * i), reply.number(2 * i + 1));
                }
            });
        }
    }

    private void settleChecked(RedisPoll poll, String state, long value) {
        if (state.equals("p") || !inRoom(poll.room, room -> room.remove(poll))) {
            return;
        }
        switch (state) {
            case "g" -> finish(poll, PollResult.GONE);
            case "s" -> finish(poll, PollResult.superseded(value));
            default -> read(poll);
        }
    }

    /** Answers a poll with the events after its acknowledged id, read from Redis. */
    private void read(RedisPoll poll) {
        read(poll.room, poll.ack).whenComplete((result, failure) -> finish(poll, failure == null ? result : PollResult.empty(poll.ack)));
    }

    /** The answer of a poll that acknowledged {@code ack}: the events after it, read from Redis. */
    CompletionStage<PollResult> read(String room, long ack) {
        return functions.call("chat1_read", room, ack, PollResult.MAX_BATCH).thenApply(answer -> {
            List<PostedEvent> events = new Reply(answer).events(0, 1);
            return events.isEmpty() ? PollResult.empty(ack) : PollResult.batch(events);
        });
    }

    /**
     * The answer of a poll that Redis answered at once, having acknowledged {@code ack}, in a room
     * whose newest event is {@code last}, posted at {@code lastTs}: from the events wake-ups told
     * this node, or read from Redis when they did not tell them all.
     */
    CompletionStage<PollResult> answerNow(String room, long ack, long last, long lastTs) {
        if (last <= ack) {
            return CompletableFuture.completedFuture(PollResult.empty(ack));
        }
        List<PostedEvent> events = inRoom(room, local -> local.recent(ack, last, lastTs, PollResult.MAX_BATCH));
        return events != null ? CompletableFuture.completedFuture(PollResult.batch(events)) : read(room, ack);
    }

    /**
     * Answers the polls whose timeout has come, and forgets rooms with nothing parked and nothing
     * heard for a while.
     */
    void sweep(long now) {
        for (LocalRoom room : rooms.values()) {
            List<RedisPoll> due = inRoom(room.name, local -> local.due(now));
            for (RedisPoll poll : due) {
                finish(poll, PollResult.empty(poll.ack));
            }
            synchronized (room) {
                if (room.isIdle(now)) {
                    room.dropped = true;
                    rooms.remove(room.name, room);
                }
            }
        }
    }

    /**
     * Renews, in Redis, the life of every client with a poll parked here, to {@code slackMillis}
     * past the client TTL from now (never shortening it, never bringing back a client that is
     * gone): run more often than that, it keeps them alive while parked, and once a poll ends its
     * client expires a TTL after, give or take the slack.
     */
    void keepAlive(long slackMillis) {
        List<Object> args = new ArrayList<>();
        args.add(slackMillis);
        for (LocalRoom room : rooms.values()) {
            for (RedisPoll poll : inRoom(room.name, LocalRoom::parked)) {
                args.add(poll.digest);
                if (args.size() > ALIVE_BATCH) {
                    functions.call("chat1_alive", args.toArray());
                    args.subList(1, args.size()).clear();
                }
            }
        }
        if (args.size() > 1) {
            functions.call("chat1_alive", args.toArray());
        }
    }

    /** Answers every parked poll at once with an empty answer, so that its client polls again elsewhere. */
    void shutdown() {
        for (LocalRoom room : rooms.values()) {
            for (RedisPoll poll : inRoom(room.name, LocalRoom::takeAll)) {
                finish(poll, PollResult.empty(poll.ack));
            }
        }
    }

    int parked() {
        int parked = 0;
        for (LocalRoom room : rooms.values()) {
            parked += inRoom(room.name, LocalRoom::size);
        }
        return parked;
    }

    /**
     * Runs {@code action} on the room's state under its monitor, making the state if the node has
     * none (or has just dropped it).
     */
    private <T> T inRoom(String name, Function<LocalRoom, T> action) {
        while (true) {
            LocalRoom room = rooms.computeIfAbsent(name, LocalRoom::new);
            synchronized (room) {
                if (!room.dropped) {
                    return action.apply(room);
                }
            }
        }
    }

    /** Answers a poll if nothing else has. */
    private static void finish(RedisPoll poll, PollResult result) {
        if (poll.claim()) {
            poll.answer(result);
        }
    }
}
