package io.github.longpollchat.http;

import io.github.longpollchat.hub.ChatError;
import io.github.longpollchat.hub.PollResult;
import io.github.longpollchat.hub.PostedEvent;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a {@code /get_msg}, parked or not, with a non-blocking write: the thread that wakes a
 * poll (a sender fanning out to a room, the timer) must never wait on a slow client's socket.
 */
final class PollReply {
    private static final Logger LOG = LoggerFactory.getLogger(PollReply.class);
    private static final int CHUNK = 16 * 1024;
    private static final byte[] BATCH_START = "{\"status\":true,\"messages\":[".getBytes(StandardCharsets.US_ASCII);

    private PollReply() {
    }

    /** Writes the result and completes the request; never throws. */
    static void send(AsyncContext async, PollResult result) {
        if (result.gone()) {
            ChatError gone = ChatError.UNKNOWN_CLIENT;
            write(async, gone.status(), JsonReply.error(gone, gone.message()));
        } else {
            write(async, HttpServletResponse.SC_OK, body(result));
        }
    }

    static void write(AsyncContext async, int status, byte[] body) {
        try {
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            JsonReply.head(response, status, body.length);
            ServletOutputStream out = response.getOutputStream();
            out.setWriteListener(new Writer(async, out, body));
        } catch (IOException | RuntimeException e) {
            LOG.debug("poll answer not written", e);
            complete(async);
        }
    }

    /**
     * The JSON of a poll answer. A batch is assembled from each event's JSON, which was
     * serialised once for the whole room; only the envelope is written here.
     */
    static byte[] body(PollResult result) {
        if (!result.status()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", false);
            body.put("messages", new Object[0]);
            body.put("cursor", result.cursor());
            if (result.superseded()) {
                body.put("superseded", true);
            }
            return JsonReply.bytes(body);
        }
        int size = BATCH_START.length + 32;
        for (PostedEvent event : result.messages()) {
            size += event.json().length + 1;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.writeBytes(BATCH_START);
        boolean first = true;
        for (PostedEvent event : result.messages()) {
            if (!first) {
                out.write(',');
            }
            out.writeBytes(event.json());
            first = false;
        }
        out.writeBytes(("],\"cursor\":" + result.cursor() + "}").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static void complete(AsyncContext async) {
        try {
            async.complete();
        } catch (IllegalStateException alreadyDone) {
            LOG.trace("poll already completed", alreadyDone);
        }
    }

    private static final class Writer implements WriteListener {
        private final AsyncContext async;
        private final ServletOutputStream out;
        private final byte[] body;
        private int offset;

        Writer(AsyncContext async, ServletOutputStream out, byte[] body) {
            this.async = async;
            this.out = out;
            this.body = body;
        }

        @Override
        public void onWritePossible() throws IOException {
            while (out.isReady()) {
                if (offset == body.length) {
                    complete(async);
                    return;
                }
                int length = Math.min(CHUNK, body.length - offset);
                out.write(body, offset, length);
                offset += length;
            }
        }

        @Override
        public void onError(Throwable failure) {
            LOG.debug("poll answer failed (client gone?)", failure);
            complete(async);
        }
    }
}
