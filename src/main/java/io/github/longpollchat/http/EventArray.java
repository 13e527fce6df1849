package io.github.longpollchat.http;

import io.github.longpollchat.hub.PostedEvent;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * A JSON array of events, assembled from each event's JSON as the room serialised it once, for
 * every recipient: a poll's batch and a join's history are copies of bytes, not serialisations.
 */
final class EventArray {
    private EventArray() {
    }

    /** The bytes the array will take, for sizing a buffer. */
    static int size(List<PostedEvent> events) {
        int size = 2;
        for (PostedEvent event : events) {
            size += event.json().length + 1;
        }
        return size;
    }

    static void write(ByteArrayOutputStream out, List<PostedEvent> events) {
        out.write('[');
        boolean first = true;
        for (PostedEvent event : events) {
            if (!first) {
                out.write(',');
            }
            out.writeBytes(event.json());
            first = false;
        }
        out.write(']');
    }
}
