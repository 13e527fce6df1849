package io.github.longpollchat.hub;

/**
 * Why the chat refuses something: a rule of the chat, not of HTTP. The servlets map each reason
 * to the protocol's error code and status. Each carries a text for a person; a refusal may give a
 * more specific one.
 */
public enum Reason {
    SHUTTING_DOWN("The server is stopping; try again shortly."),
    INVALID_CLIENT_ID("clientId is not a valid client id."),
    INVALID_NAME("The name is not valid."),
    INVALID_ROOM("The room name is not valid."),
    INVALID_TEXT("The text is not valid."),
    INVALID_MSG_ID("msgId is not valid."),
    STORE_UNAVAILABLE("The chat's store cannot be reached; try again shortly."),
    UNKNOWN_CLIENT("No live client has that clientId; join again."),
    NAME_TAKEN("That name is in use in this room."),
    RATE_LIMITED("Too many messages; wait a moment."),
    TOO_MANY_CLIENTS("Too many clients have joined from your address; leave one first."),
    SERVER_FULL("The server is full; try again later.");

    private final String message;

    Reason(String message) {
        this.message = message;
    }

    /** The default text for a person. */
    public String message() {
        return message;
    }

    /** A refusal for this reason with its default text. */
    public Refusal refusal() {
        return new Refusal(this, message);
    }

    /** A refusal for this reason with a more specific text. */
    public Refusal refusal(String detail) {
        return new Refusal(this, detail);
    }
}
