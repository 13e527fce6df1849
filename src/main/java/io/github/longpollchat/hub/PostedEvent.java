package io.github.longpollchat.hub;

/**
 * An event together with its JSON, serialised once per room rather than once per recipient.
 */
public final class PostedEvent {
    private final Event event;
    private final byte[] json;

    PostedEvent(Event event) {
        this.event = event;
        this.json = Json.bytes(event);
    }

    public Event event() {
        return event;
    }

    public long id() {
        return event.id();
    }

    /** The event as UTF-8 JSON; shared, so callers must not modify it. */
    public byte[] json() {
        return json;
    }
}
