package io.github.longpollchat.hub;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A room: its members, its event ids and its history. A room with more than its presence limit
 * of members is big: its joins and leaves are not events of their own but are summed up in
 * {@code presence} events (see {@link Presence}), so that joining costs the same in a room of
 * any size.
 *
 * <p>Threading: every field is guarded by the room's monitor. An event gets its id and is put into
 * every member's mailbox under that one lock, so ids are handed out in the order events are
 * accepted and every member receives the room's events in id order. Waking parked polls happens
 * after the lock is released (see {@link MemoryHub}).
 */
final class Room {
    final String name;
    private final int historySize;
    private final int mailboxSize;
    private final int presenceLimit;
    private final Presence presence = new Presence();
    private final ArrayDeque<PostedEvent> history = new ArrayDeque<>();
    /** Members by {@link DisplayName#key}, in joining order. */
    private final Map<String, Client> members = new LinkedHashMap<>();
    private long lastId;
    private long lastActivity = System.nanoTime();
    /** Set when the room was dropped from the hub; a join that still holds it must look again. */
    boolean forgotten;

    Room(String name, int historySize, int mailboxSize, int presenceLimit) {
        this.name = name;
        this.historySize = historySize;
        this.mailboxSize = mailboxSize;
        this.presenceLimit = presenceLimit;
    }

    /**
     * What a post did besides itself: the polls to wake and the clients evicted on overflow; and, for
     * the {@link HubEvents}, how many events were posted and clients evicted.
     */
    static final class Fallout {
        final List<ParkedPoll> toWake = new ArrayList<>();
        final List<Client> gone = new ArrayList<>();
        private final ArrayDeque<Client> overflowed = new ArrayDeque<>();
        int posted;
        int evicted;
    }

    boolean isNameTaken(String nameKey) {
        return members.containsKey(nameKey);
    }

    /** Adds a new member whose mailbox starts after the newest event; the caller then {@link #announce}s it. */
    Client admit(String clientId, String displayName, String address, int rateLimit) {
        Client client = new Client(clientId, displayName, address, this, new Mailbox(mailboxSize, lastId), rateLimit);
        members.put(client.nameKey, client);
        return client;
    }

    /** Tells the room of a new member: a {@code join} event, or in a big room a line of the next presence summary. */
    void announce(Client client, Fallout fallout) {
        if (members.size() > presenceLimit) {
            presence.joined(client.name);
        } else {
            post(Event.JOIN, client.name, null, fallout);
        }
    }

    /** Posts the presence summary if one is due (see {@link Presence#isDue}). */
    void tellPresence(long nowNanos, Fallout fallout) {
        if (presence.isDue(nowNanos)) {
            deliver(new PostedEvent(presence.take(++lastId, name, members.size(), nowNanos)), fallout);
            evictOverflowed(fallout);
        }
    }

    /**
     * Gives an event the next id, keeps it in the history and puts it into every member's mailbox.
     * A member whose mailbox is full is evicted, which posts its {@code leave} in turn.
     *
     * @return the new event's id
     */
    long post(String type, String who, String text, Fallout fallout) {
        long id = append(type, who, text, fallout);
        evictOverflowed(fallout);
        return id;
    }

    /**
     * Takes a member out and tells the room with a {@code leave} event.
     *
     * @return false if it had left already
     */
    boolean remove(Client client, Fallout fallout) {
        if (!client.live) {
            return false;
        }
        dropMember(client, fallout);
        evictOverflowed(fallout);
        return true;
    }

    private long append(String type, String who, String text, Fallout fallout) {
        return deliver(new PostedEvent(new Event(++lastId, name, type, who, text, System.currentTimeMillis())), fallout);
    }

    /** Keeps the event in the history and puts it into every member's mailbox. */
    private long deliver(PostedEvent event, Fallout fallout) {
        lastActivity = System.nanoTime();
        fallout.posted++;
        if (historySize > 0) {
            if (history.size() == historySize) {
                history.removeFirst();
            }
            history.addLast(event);
        }
        for (Client member : members.values()) {
            if (!member.mailbox.offer(event, fallout.toWake)) {
                fallout.overflowed.add(member);
            }
        }
        return event.id();
    }

    /** A loop, not recursion: in a room where every mailbox is full, each leave overflows the rest. */
    private void evictOverflowed(Fallout fallout) {
        Client member;
        while ((member = fallout.overflowed.poll()) != null) {
            if (member.live) {
                dropMember(member, fallout);
                fallout.evicted++;
            }
        }
    }

    private void dropMember(Client client, Fallout fallout) {
        boolean big = members.size() > presenceLimit;
        client.live = false;
        members.remove(client.nameKey);
        fallout.gone.add(client);
        if (big) {
            presence.left(client.name);
        } else {
            append(Event.LEAVE, client.name, null, fallout);
        }
    }

    long lastId() {
        return lastId;
    }

    List<PostedEvent> history() {
        return List.copyOf(history);
    }

    /**
     * The members' names in joining order; in a big room only the first {@code presenceLimit},
     * {@code self} always among them, so that a join costs the same in a room of any size.
     */
    List<String> memberNames(Client self) {
        boolean big = members.size() > presenceLimit;
        List<String> names = new ArrayList<>(big ? presenceLimit : members.size());
        for (Client member : members.values()) {
            if (big && names.size() == presenceLimit - 1) {
                break;
            }
            if (member != self || !big) {
                names.add(member.name);
            }
        }
        if (big) {
            names.add(self.name);
        }
        return names;
    }

    int memberCount() {
        return members.size();
    }

    /** Empty and quiet for longer than {@code ttlNanos}: may be forgotten. */
    boolean idleLongerThan(long ttlNanos, long nowNanos) {
        return members.isEmpty() && nowNanos - lastActivity > ttlNanos;
    }
}
