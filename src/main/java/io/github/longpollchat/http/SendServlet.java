package io.github.longpollchat.http;

import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.hub.MessageText;
import io.github.longpollchat.hub.Tokens;
import io.github.longpollchat.metrics.ChatMetrics;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code POST /send_msg}: posts a message to the client's room, once per {@code msgId}. */
public final class SendServlet extends ChatServlet {
    public SendServlet(Hub hub, BodyDeadlines deadlines, AllowedHosts hosts, ChatMetrics metrics) {
        super(hub, deadlines, hosts, metrics, "POST");
    }

    @Override
    void handle(HttpServletRequest request, Fields fields, Answer answer) {
        fields.require(Field.CLIENT_ID, Field.TEXT);
        String clientId = Tokens.clientId(fields.text(Field.CLIENT_ID));
        String text = MessageText.parse(fields.text(Field.TEXT), hub.maxText());
        String msgId = fields.text(Field.MSG_ID);
        if (msgId != null) {
            Tokens.msgId(msgId);
        }
        respond(request, answer, hub.send(clientId, text, msgId), id -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", true);
            body.put("id", id);
            answer.json(body);
        });
    }
}
