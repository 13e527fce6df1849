package io.github.longpollchat.http;

import io.github.longpollchat.hub.DisplayName;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.hub.JoinResult;
import io.github.longpollchat.hub.PostedEvent;
import io.github.longpollchat.hub.Tokens;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code POST /join}: registers a client in a room, or resumes a live one. */
public final class JoinServlet extends ChatServlet {
    static final String DEFAULT_ROOM = "lobby";

    public JoinServlet(Hub hub, BodyDeadlines deadlines) {
        super(hub, deadlines, "POST");
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
        JoinResult joined = hub.join(name, room, clientId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clientId", joined.clientId());
        body.put("name", joined.name());
        body.put("room", joined.room());
        body.put("cursor", joined.cursor());
        body.put("history", joined.history().stream().map(PostedEvent::event).toList());
        body.put("members", joined.members());
        body.put("memberCount", joined.memberCount());
        body.put("pollTimeoutMs", joined.pollTimeoutMs());
        answer.json(body);
    }
}
