package io.github.longpollchat.hub;

import java.util.List;

/**
 * The answer to {@code /join}: who the client is, where its polls start, and what the room looks
 * like now.
 */
public record JoinResult(String clientId, String name, String room, long cursor,
                         List<PostedEvent> history, List<String> members, int pollTimeoutMs) {
}
