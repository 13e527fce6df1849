package io.github.longpollchat.hub;

/**
 * An event together with its JSON, serialised once per room rather than once per recipient. The
 * memory engine makes it from the {@link Event}; the Redis engine gets it as JSON from the store,
 * where the {@link Event} is read back only when asked for (by tests).
 */
public final class PostedEvent {
    private final long id;
    private final byte[] json;
    private volatile Event event;

    PostedEvent(Event event) {
        this.id = event.id();
        this.json = Json.bytes(event);
        this.event = event;
    }

    private PostedEvent(long id, byte[] json) {
        this.id = id;
        this.json = json;
    }

    /** An event as a store keeps it: its id and its JSON, as {@link Json} would have written it. */
    public static PostedEvent stored(long id, byte[] json) {
        return new PostedEvent(id, json);
    }

    public Event event() {
        Event read = event;
        if (read == null) {
            read = Json.read(json, Event.class);
            event = read;
        }
        return read;
    }

    public long id() {
        return id;
    }

    /** The event as UTF-8 JSON; shared, so callers must not modify it. */
    public byte[] json() {
        return json;
    }
}
