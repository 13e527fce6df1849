package io.github.longpollchat.hub.redis;

import io.github.longpollchat.hub.PostedEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A chat function's answer, an array as chat.lua builds it, read by position: its first entry
 * says what happened ({@code joined}, {@code park}, {@code gone}…), the rest depend on that.
 */
final class Reply {
    private final List<Object> values;

    Reply(List<Object> values) {
        this.values = values;
    }

    String kind() {
        return text(0);
    }

    String text(int index) {
        return (String) values.get(index);
    }

    long number(int index) {
        return (Long) values.get(index);
    }

    @SuppressWarnings("unchecked")
    List<String> texts(int index) {
        return (List<String>) values.get(index);
    }

    /** The events at {@code index} (their JSON), the first of which has the id at {@code firstIdIndex}: ids are contiguous. */
    List<PostedEvent> events(int firstIdIndex, int index) {
        long id = number(firstIdIndex);
        List<String> json = texts(index);
        List<PostedEvent> events = new ArrayList<>(json.size());
        for (String event : json) {
            events.add(PostedEvent.stored(id++, event.getBytes(StandardCharsets.UTF_8)));
        }
        return events;
    }
}
