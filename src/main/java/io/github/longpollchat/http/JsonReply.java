package io.github.longpollchat.http;

/** What marks an answer as the protocol's JSON; the bytes come from {@link io.github.longpollchat.hub.Json}. */
public final class JsonReply {
    public static final String CONTENT_TYPE = "application/json;charset=UTF-8";
    /** Answers of the API are never cached: each is about one moment of one client. */
    public static final String CACHE_CONTROL = "no-store";

    private JsonReply() {
    }
}
