package io.github.longpollchat.http;

/** A request field of the protocol, with the error its bad value earns. */
enum Field {
    CLIENT_ID("clientId", ErrorCode.INVALID_CLIENT_ID),
    NAME("name", ErrorCode.INVALID_NAME),
    ROOM("room", ErrorCode.INVALID_ROOM),
    TEXT("text", ErrorCode.INVALID_TEXT),
    MSG_ID("msgId", ErrorCode.INVALID_MSG_ID),
    GRACE("grace", ErrorCode.INVALID_GRACE),
    CURSOR("cursor", ErrorCode.INVALID_CURSOR),
    TIMEOUT("timeout", ErrorCode.INVALID_TIMEOUT);

    final String key;
    final ErrorCode invalid;

    Field(String key, ErrorCode invalid) {
        this.key = key;
        this.invalid = invalid;
    }
}
