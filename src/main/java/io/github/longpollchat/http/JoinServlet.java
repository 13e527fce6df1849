package io.github.longpollchat.http;

import io.github.longpollchat.hub.DisplayName;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.hub.Json;
import io.github.longpollchat.hub.PostedEvent;
import io.github.longpollchat.hub.Tokens;
import io.github.longpollchat.metrics.ChatMetrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code POST /join}: registers a client in a room, or resumes a live one. */
public final class JoinServlet extends ChatServlet {
    static final String DEFAULT_ROOM = "lobby";
    private static final byte[] HISTORY_KEY = ",\"history\":".getBytes(StandardCharsets.US_ASCII);

    private final ClientAddress addresses;

    public JoinServlet(Hub hub, BodyDeadlines deadlines, AllowedHosts hosts, ChatMetrics metrics, ClientAddress addresses) {
        super(hub, deadlines, hosts, metrics, "POST");
        this.addresses = addresses;
    }

    @Override
    void handle(HttpServletRequest request, Fields fields, Answer answer) {
        fields.require(Field.NAME);
        String rawName = fields.text(Field.NAME);
        String room = fields.text(Field.ROOM);
        String clientId = fields.text(Field.CLIENT_ID);
        String name = DisplayName.parse(rawName);
        room = room == null ? DEFAULT_ROOM : Tokens.room(room);
        if (clientId != null) {
            Tokens.clientId(clientId);
        }
        respond(request, answer, hub.join(name, room, clientId, addresses.of(request)), joined -> {
            Map<String, Object> head = new LinkedHashMap<>();
            head.put("clientId", joined.clientId());
            head.put("name", joined.name());
            head.put("room", joined.room());
            head.put("cursor", joined.cursor());
            head.put("members", joined.members());
            head.put("memberCount", joined.memberCount());
            head.put("pollTimeoutMs", joined.pollTimeoutMs());
            answer.json(HttpServletResponse.SC_OK, withHistory(Json.bytes(head), joined.history()));
        });
    }

    /** The head object with {@code "history"} added last, from the events' cached JSON. */
    private static byte[] withHistory(byte[] head, List<PostedEvent> history) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + HISTORY_KEY.length + EventArray.size(history) + 1);
        out.write(head, 0, head.length - 1);
        out.writeBytes(HISTORY_KEY);
        EventArray.write(out, history);
        out.write('}');
        return out.toByteArray();
    }
}
