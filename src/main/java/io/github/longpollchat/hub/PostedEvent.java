package io.github.longpollchat.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An event together with its JSON, serialised once per room rather than once per recipient.
 */
public final class PostedEvent {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Event event;
    private final byte[] json;

    PostedEvent(Event event) {
        this.event = event;
        try {
            this.json = JSON.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event record always serialises", e);
        }
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
