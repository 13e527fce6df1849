package io.github.longpollchat.http;

import io.github.longpollchat.hub.ChatError;

/** A request field of the protocol, with the error its bad value earns. */
enum Field {
    CLIENT_ID("clientId", ChatError.INVALID_CLIENT_ID),
    NAME("name", ChatError.INVALID_NAME),
    ROOM("room", ChatError.INVALID_ROOM),
    TEXT("text", ChatError.INVALID_TEXT),
    MSG_ID("msgId", ChatError.INVALID_MSG_ID),
    GRACE("grace", ChatError.INVALID_GRACE),
    CURSOR("cursor", ChatError.INVALID_CURSOR),
    TIMEOUT("timeout", ChatError.INVALID_TIMEOUT);

    final String key;
    final ChatError invalid;

    Field(String key, ChatError invalid) {
        this.key = key;
        this.invalid = invalid;
    }
}
