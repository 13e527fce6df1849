package io.github.longpollchat.hub;

import java.util.List;

/**
 * The answer to {@code /join}: who the client is, where its polls start, and what the room looks
 * like now: its history, and its members (in a big room only some names, and their count).
 */
public record JoinResult(String clientId, String name, String room, long cursor,
                         List<PostedEvent> history, List<String> members, int memberCount, int pollTimeoutMs) {
}
