package io.github.longpollchat.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The answer of a successful {@code /join}. */
record Joined(String clientId, String name, String room, long cursor, JsonNode history,
              List<String> members, long pollTimeoutMs, JsonNode json) {

    static Joined of(JsonNode json) {
        List<String> members = new ArrayList<>();
        json.get("members").forEach(m -> members.add(m.textValue()));
        return new Joined(json.get("clientId").textValue(), json.get("name").textValue(),
                json.get("room").textValue(), json.get("cursor").longValue(), json.get("history"),
                members, json.get("pollTimeoutMs").longValue(), json);
    }

    /** The id of this client's own join event (when it was a new join). */
    long joinId() {
        return cursor + 1;
    }

    /** The id of the newest event in the history, or 0. */
    long lastHistoryId() {
        return history.isEmpty() ? 0 : history.get(history.size() - 1).get("id").longValue();
    }
}
