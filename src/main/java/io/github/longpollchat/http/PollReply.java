package io.github.longpollchat.http;

import io.github.longpollchat.hub.Json;
import io.github.longpollchat.hub.PollResult;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The answer to a {@code /get_msg}, parked or not. */
final class PollReply {
    private static final byte[] BATCH_START = "{\"status\":true,\"messages\":".getBytes(StandardCharsets.US_ASCII);

    private PollReply() {
    }

    /** Answers the poll with this result; like every {@link Answer}, never throws. */
    static void send(Answer answer, PollResult result) {
        if (result.gone()) {
            answer.error(ErrorCode.UNKNOWN_CLIENT);
        } else {
            answer.json(HttpServletResponse.SC_OK, body(result));
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
            return Json.bytes(body);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(BATCH_START.length + EventArray.size(result.messages()) + 32);
        out.writeBytes(BATCH_START);
        EventArray.write(out, result.messages());
        out.writeBytes((",\"cursor\":" + result.cursor() + "}").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
