package io.github.longpollchat.hub;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat in this process's memory, the default engine: rooms, clients and their mailboxes, and
 * the rules of joining, sending, polling, leaving and expiry. Its work is done by the time a call
 * returns, so the {@link Hub} calls complete at once; its tests and benchmark call the synchronous
 * forms ({@link #joinNow}, {@link #sendNow}, {@link #poll(String, long, int, Consumer)},
 * {@link #leaveNow}).
 *
 * <p>Threading: a room's state changes only under that room's lock (see {@link Room}); a
 * mailbox's under its own (see {@link Mailbox}). Parked polls are answered only after those locks
 * are released, through {@link ParkedPoll#claim()}, so a slow connection never holds up a room.
 * Time-driven work (poll timeouts, expiry, idle rooms, grace leaves) runs on the {@link Sweeper}.
 */
public final class MemoryHub implements Hub {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryHub.class);

    private final int pollTimeout;
    private final int historySize;
    private final int mailboxSize;
    private final int maxClients;
    private final int maxRooms;
    private final int maxText;
    private final int rateLimit;
    private final int presenceLimit;

    /** Live clients by {@link Tokens#selector} of their id. */
    private final ConcurrentHashMap<String, Client> clients = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    /** Live clients plus joins under way that have reserved a place. */
    private final AtomicInteger clientSlots = new AtomicInteger();
    /** The same, per address. */
    final AddressCounts addressSlots;
    final Sweeper sweeper;
    private final HubEvents events;
    private volatile boolean shuttingDown;

    public MemoryHub(Settings settings) {
        this(settings, HubEvents.NONE);
    }

    /** @param events told of posts, evictions and expiries */
    public MemoryHub(Settings settings, HubEvents events) {
        this(settings, events, true);
    }

    /**
     * @param sweeping false for race tests that must be the only ones to sweep, so that their
     *     {@code sweeper.sweep()}, not the background one, is what races their other threads
     */
    MemoryHub(Settings settings, HubEvents events, boolean sweeping) {
        this.events = events;
        this.pollTimeout = settings.get(Option.POLL_TIMEOUT);
        this.historySize = settings.get(Option.HISTORY);
        this.mailboxSize = settings.get(Option.MAILBOX);
        this.maxClients = settings.get(Option.MAX_CLIENTS);
        this.maxRooms = settings.get(Option.MAX_ROOMS);
        this.maxText = settings.get(Option.MAX_TEXT);
        this.rateLimit = settings.get(Option.RATE_LIMIT);
        this.presenceLimit = settings.get(Option.PRESENCE_LIMIT);
        this.addressSlots = new AddressCounts(settings.get(Option.MAX_CLIENTS_PER_ADDRESS));
        this.sweeper = new Sweeper(this, TimeUnit.SECONDS.toNanos(settings.get(Option.CLIENT_TTL)),
                TimeUnit.SECONDS.toNanos(settings.get(Option.ROOM_TTL)), sweeping);
    }

    @Override
    public int pollTimeoutSeconds() {
        return pollTimeout;
    }

    @Override
    public int maxText() {
        return maxText;
    }

    @Override
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    @Override
    public CompletionStage<JoinResult> join(String name, String room, String clientId, String address) {
        return completed(() -> joinNow(name, room, clientId, address));
    }

    @Override
    public CompletionStage<Long> send(String clientId, String text, String msgId) {
        return completed(() -> sendNow(clientId, text, msgId));
    }

    @Override
    public CompletionStage<PollResult> poll(String clientId, long cursor, int timeoutSeconds) {
        CompletableFuture<PollResult> answer = new CompletableFuture<>();
        try {
            PollResult now = poll(clientId, cursor, timeoutSeconds, answer::complete);
            if (now != null) {
                answer.complete(now);
            }
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }

    @Override
    public CompletionStage<Void> leave(String clientId, int graceSeconds) {
        return completed(() -> {
            leaveNow(clientId, graceSeconds);
            return null;
        });
    }

    /** The outcome of work done now, a refusal included, as a stage completed already. */
    private static <T> CompletionStage<T> completed(Supplier<T> work) {
        try {
            return CompletableFuture.completedFuture(work.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Joins a new client to a room, or resumes a live one.
     *
     * @param name an already valid display name ({@link DisplayName#parse})
     * @param roomName an already valid room name
     * @param clientId the client to resume, or null
     * @param address where it joins from, see {@link Hub#join}
     * @throws Refusal {@code name_taken}, {@code too_many_clients} or {@code server_full}
     */
    public JoinResult joinNow(String name, String roomName, String clientId, String address) {
        Client existing = clientId == null ? null : find(clientId);
        if (existing != null && existing.room.name.equals(roomName)) {
            JoinResult resumed = resume(existing);
            if (resumed != null) {
                return resumed;
            }
        }
        String nameKey = DisplayName.key(name);
        while (true) {
            Room room = rooms.get(roomName);
            if (!addressSlots.take(address)) {
                refuseUnlessNameTaken(room, nameKey, Reason.TOO_MANY_CLIENTS.refusal());
            }
            if (!reserveClientSlot()) {
                addressSlots.release(address);
                refuseUnlessNameTaken(room, nameKey,
                        Reason.SERVER_FULL.refusal("The server has as many clients as it may hold."));
            }
            boolean admitted = false;
            try {
                if (room == null) {
                    room = openRoom(roomName);
                }
                Room.Fallout fallout = new Room.Fallout();
                JoinResult result;
                synchronized (room) {
                    if (room.forgotten) {
                        continue;
                    }
                    if (room.isNameTaken(nameKey)) {
                        throw Reason.NAME_TAKEN.refusal();
                    }
                    Client client = room.admit(newUniqueId(), name, address, rateLimit);
                    clients.put(Tokens.selector(client.id), client);
                    admitted = true;
                    long cursor = room.lastId();
                    var history = room.history();
                    room.announce(client, fallout);
                    result = new JoinResult(client.id, client.name, room.name, cursor, history,
                            room.memberNames(client), room.memberCount(), pollTimeout * 1000);
                }
                settle(fallout);
                LOG.info("join room={} client={}", roomName, Tokens.redact(result.clientId()));
                return result;
            } finally {
                if (!admitted) {
                    clientSlots.decrementAndGet();
                    addressSlots.release(address);
                }
            }
        }
    }

    private JoinResult resume(Client client) {
        Room room = client.room;
        synchronized (room) {
            if (!client.live) {
                return null;
            }
            client.touch();
            return new JoinResult(client.id, client.name, room.name, client.mailbox.lastAcked(),
                    room.history(), room.memberNames(client), room.memberCount(), pollTimeout * 1000);
        }
    }

    /** 409 outranks 429 and 503: a limit is named only when the name would have been free. */
    private static void refuseUnlessNameTaken(Room room, String nameKey, Refusal limit) {
        if (room != null) {
            synchronized (room) {
                if (room.isNameTaken(nameKey)) {
                    throw Reason.NAME_TAKEN.refusal();
                }
            }
        }
        throw limit;
    }

    private boolean reserveClientSlot() {
        if (clientSlots.incrementAndGet() > maxClients) {
            clientSlots.decrementAndGet();
            return false;
        }
        return true;
    }

    private Room openRoom(String roomName) {
        synchronized (rooms) {
            Room room = rooms.get(roomName);
            if (room == null) {
                if (rooms.size() >= maxRooms) {
                    throw Reason.SERVER_FULL.refusal("The server has as many rooms as it may hold.");
                }
                room = new Room(roomName, historySize, mailboxSize, presenceLimit);
                rooms.put(roomName, room);
            }
            return room;
        }
    }

    private String newUniqueId() {
        String id;
        do {
            id = Tokens.newClientId();
        } while (clients.containsKey(Tokens.selector(id)));
        return id;
    }

    /**
     * Posts a message to the client's room.
     *
     * @param text already valid text ({@link MessageText#parse})
     * @param msgId the idempotency key, or null
     * @return the message's id (the first send's, for a repeated {@code msgId})
     * @throws Refusal {@code unknown_client} or {@code rate_limited}
     */
    public long sendNow(String clientId, String text, String msgId) {
        Client client = live(clientId);
        Room room = client.room;
        Room.Fallout fallout = new Room.Fallout();
        long id;
        synchronized (room) {
            if (!client.live) {
                throw Reason.UNKNOWN_CLIENT.refusal();
            }
            client.touch();
            Long earlier = client.keys.find(msgId);
            if (earlier != null) {
                return earlier;
            }
            long now = System.nanoTime();
            long wait = client.rate.secondsToWait(now);
            if (wait > 0) {
                throw Refusal.rateLimited(wait);
            }
            id = room.post(Event.MESSAGE, client.name, text, fallout);
            client.keys.remember(msgId, id);
            client.rate.record(now);
        }
        settle(fallout);
        return id;
    }

    /**
     * Polls a client's mailbox: answers at once when it holds messages (or when
     * {@code timeoutSeconds} is 0), else parks the poll until a message, the timeout, a newer
     * poll, the client's end or shutdown answers it through {@code reply}.
     *
     * @param cursor the last id the client processed, or -1 for none
     * @param timeoutSeconds 0 to {@link #pollTimeoutSeconds()}
     * @param reply called once, on some thread, when a parked poll is answered; must not block
     * @return the answer now, or null when parked
     * @throws Refusal {@code unknown_client}
     */
    public PollResult poll(String clientId, long cursor, int timeoutSeconds, Consumer<PollResult> reply) {
        Client client = live(clientId);
        client.touch();
        ParkedPoll parked = timeoutSeconds > 0 && !shuttingDown
                ? new ParkedPoll(client, reply, System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds))
                : null;
        Mailbox.Step step = client.mailbox.poll(cursor, parked);
        if (step.superseded() != null && step.superseded().claim()) {
            step.superseded().answer(client.mailbox.superseded());
        }
        if (step.now() != null) {
            if (step.now().gone()) {
                throw Reason.UNKNOWN_CLIENT.refusal();
            }
            return step.now();
        }
        if (shuttingDown) {
            // Shutdown may have swept the mailboxes just before this poll parked.
            answerShutdown(client);
        }
        return null;
    }

    /**
     * Ends a client at once ({@code graceSeconds} 0), or after a grace period unless a request of
     * it arrives first. An unknown client is ignored.
     */
    public void leaveNow(String clientId, int graceSeconds) {
        Client client = find(clientId);
        if (client == null) {
            return;
        }
        if (graceSeconds == 0) {
            end(client, null);
            return;
        }
        client.touch();
        if (!sweeper.leaveLater(client, graceSeconds)) {
            // The hub closed after the servlet's shutting-down check: say so, not 500.
            throw Reason.SHUTTING_DOWN.refusal();
        }
    }

    /**
     * Takes a client out of its room, if still live (and, for a grace leave, still pending).
     *
     * @param token the grace leave that must still be pending, or null to end it regardless
     */
    void end(Client client, GraceLeave token) {
        Room.Fallout fallout = new Room.Fallout();
        synchronized (client.room) {
            if (token != null && client.pendingLeave != token) {
                return;
            }
            client.room.remove(client, fallout);
        }
        settle(fallout);
    }

    /**
     * Finishes what a change of a room set off, outside its lock: frees the clients that left or
     * were evicted (their parked polls get 410) and wakes the polls that have new messages.
     */
    private void settle(Room.Fallout fallout) {
        if (fallout.posted > 0) {
            events.posted(fallout.posted);
        }
        if (fallout.evicted > 0) {
            events.evicted(fallout.evicted);
        }
        for (Client gone : fallout.gone) {
            clients.remove(Tokens.selector(gone.id), gone);
            clientSlots.decrementAndGet();
            addressSlots.release(gone.address);
            ParkedPoll poll = gone.mailbox.close();
            if (poll != null && poll.claim()) {
                poll.answer(PollResult.GONE);
            }
            LOG.info("left room={} client={}", gone.room.name, Tokens.redact(gone.id));
        }
        for (ParkedPoll poll : fallout.toWake) {
            if (poll.claim()) {
                poll.answer(poll.client().mailbox.current());
            }
        }
    }

    /** Expires the client if it is still idle once its room's lock is held: a request may have just refreshed it. */
    void expireIfIdle(Client client, long ttlNanos) {
        Room.Fallout fallout = new Room.Fallout();
        boolean expired;
        synchronized (client.room) {
            expired = client.idleLongerThan(ttlNanos, System.nanoTime()) && client.room.remove(client, fallout);
        }
        if (expired) {
            events.expired(1);
        }
        settle(fallout);
    }

    /**
     * The sweep's round of a room: posts its presence summary if one is due, or forgets it if it
     * has been empty and quiet for longer than {@code ttlNanos}.
     */
    void tend(Room room, long ttlNanos, long nowNanos) {
        Room.Fallout fallout = new Room.Fallout();
        synchronized (room) {
            room.tellPresence(nowNanos, fallout);
            if (room.idleLongerThan(ttlNanos, nowNanos)) {
                room.forgotten = true;
                rooms.remove(room.name, room);
            }
        }
        settle(fallout);
    }

    /** The live clients, for the sweep. */
    Collection<Client> clients() {
        return clients.values();
    }

    /** The rooms held, for the sweep. */
    Collection<Room> rooms() {
        return rooms.values();
    }

    @Override
    public void shutdown() {
        shuttingDown = true;
        for (Client client : clients.values()) {
            answerShutdown(client);
        }
    }

    private void answerShutdown(Client client) {
        ParkedPoll poll = client.mailbox.takeWaiter();
        if (poll != null && poll.claim()) {
            poll.answer(client.mailbox.current());
        }
    }

    @Override
    public void close() {
        shutdown();
        sweeper.close();
    }

    private Client live(String clientId) {
        Client client = find(clientId);
        if (client == null) {
            throw Reason.UNKNOWN_CLIENT.refusal();
        }
        return client;
    }

    /**
     * The live client with this id, or null: looked up by its selector, then the whole id compared
     * in constant time (see {@link Tokens}).
     */
    Client find(String clientId) {
        Client client = clients.get(Tokens.selector(clientId));
        if (client == null || !Tokens.equalInConstantTime(client.id, clientId)) {
            return null;
        }
        return client;
    }

    @Override
    public CompletionStage<Stats> measure() {
        return CompletableFuture.completedFuture(stats());
    }

    @Override
    public Stats stats() {
        int parked = 0;
        int queued = 0;
        for (Client client : clients.values()) {
            parked += client.mailbox.hasWaiter() ? 1 : 0;
            queued += client.mailbox.size();
        }
        return new Stats(clients.size(), rooms.size(), parked, queued, sweeper.pendingLeaves());
    }
}
