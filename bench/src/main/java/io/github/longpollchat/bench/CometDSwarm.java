package io.github.longpollchat.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Tabs speaking Bayeux over CometD's long-polling transport ({@link CometDChat}), as CometD's
 * JavaScript client does: {@code /meta/handshake} (which gives the {@code clientId}, and the
 * {@code BAYEUX_BROWSER} cookie that CometD finds the session by: sent with every later request),
 * a first {@code /meta/connect} that returns at once ({@code advice: {timeout: 0}}),
 * {@code /meta/subscribe} to the room's channel {@code /chat/<room>}, then the {@code /meta/connect}
 * loop, each connect sent again as soon as the last one returns (after the advice's
 * {@code interval}, if any), and given up on 15 s after the advice's {@code timeout}. Senders publish to the channel through their second connection, with
 * the same session, as a browser sends while its connect is held.
 *
 * <p>Every answer is an array of messages: the reply to the request (matched by its {@code id})
 * and, in any answer, not only a connect's, messages delivered to the session; the text is the
 * data's {@code text}, carrying its number and send time as for the other protocols, so
 * duplicates and latency are counted alike. The advice is followed: {@code reconnect: handshake}
 * handshakes and subscribes again (what is published meanwhile is missed, and counted missing),
 * {@code none} ends the tab.
 */
final class CometDSwarm extends Swarm {
    private static final String JSON_TYPE = "application/json;charset=UTF-8";

    CometDSwarm(BenchOptions o, int part, int parts) {
        super(o, part, parts);
    }

    /** The fields of a Bayeux message that the tabs read. */
    private record Message(String id, boolean successful, String clientId, String error, String reconnect,
            long interval, long timeout, boolean hasData, String text) {
    }

    // ---- joining: handshake, first connect, subscribe ----

    @Override
    void join(Tab tab, Runnable done) {
        long start = System.nanoTime();
        tab.clientId = null;
        tab.cookie = null;
        joinStep(tab, "handshake", id -> "[{\"id\":\"" + id + "\",\"channel\":\"/meta/handshake\",\"version\":\"1.0\","
                + "\"minimumVersion\":\"1.0\",\"supportedConnectionTypes\":[\"long-polling\"]}]", done, (reply, response) -> {
                    String cookie = response.header("set-cookie");
                    if (reply.clientId == null || cookie == null) {
                        error("join: no clientId or no BAYEUX_BROWSER cookie");
                        gaveUp(tab, done);
                        return;
                    }
                    tab.clientId = reply.clientId;
                    tab.cookie = "Cookie: " + cookie.split(";", 2)[0];
                    joinStep(tab, "connect", id -> connect(tab, id, ",\"advice\":{\"timeout\":0}"), done,
                            (connected, r) -> subscribe(tab, start, done));
                });
    }

    private void subscribe(Tab tab, long start, Runnable done) {
        joinStep(tab, "subscribe", id -> "[{\"id\":\"" + id + "\",\"channel\":\"/meta/subscribe\",\"subscription\":\""
                + channel(tab.room) + "\",\"clientId\":\"" + tab.clientId + "\"}]", done, (reply, response) -> {
                    joinLatency.record(System.nanoTime() - start);
                    park(tab);
                    done.run();
                });
    }

    /**
     * One request of the join, {@code body} made for its message id: on a successful reply,
     * {@code next}; else the tab gives up, and {@code done} runs.
     */
    private void joinStep(Tab tab, String path, Function<String, String> body, Runnable done,
            BiConsumer<Message, HttpResponse> next) {
        String id = nextId(tab);
        String[] cookie = tab.cookie == null ? new String[0] : new String[] {tab.cookie};
        // A handshake (no cookie yet) is not sent again on a fresh connection: it would make a second session.
        tab.conn.send(post(path, JSON_TYPE, body.apply(id), cookie), REQUEST_NANOS, tab.cookie != null, handler(response -> {
            Message reply = reply(tab, "join", response, id);
            if (reply == null || !reply.successful) {
                gaveUp(tab, done);
                return;
            }
            advise(tab, reply);
            next.accept(reply, response);
        }, kind -> {
            error("join: " + kind);
            gaveUp(tab, done);
        }));
    }

    private static void gaveUp(Tab tab, Runnable done) {
        tab.dead = true;
        done.run();
    }

    // ---- the /meta/connect loop ----

    @Override
    void park(Tab tab) {
        if (tab.dead || tab.connecting) {
            return;
        }
        tab.connecting = true;
        connect(tab);
    }

    private void connect(Tab tab) {
        if (tab.dead) {
            tab.connecting = false;
            return;
        }
        String id = nextId(tab);
        long deadline = tab.timeoutMillis < 0 ? pollNanos
                : TimeUnit.MILLISECONDS.toNanos(tab.timeoutMillis) + POLL_MARGIN_NANOS;
        tab.conn.send(post("connect", JSON_TYPE, connect(tab, id, ""), tab.cookie), deadline, true, handler(response -> {
            responses++;
            Message reply = reply(tab, "poll", response, id);
            if (reply == null) {
                retryLater(tab, () -> connect(tab));
                return;
            }
            advise(tab, reply);
            if ("none".equals(reply.reconnect)) {
                error("poll: advised not to reconnect");
                tab.dead = true;
                tab.connecting = false;
            } else if ("handshake".equals(reply.reconnect)) {
                // The session is gone (swept, or the server forgot it): a new one, as CometD's client does.
                tab.connecting = false;
                join(tab, () -> { });
            } else if (!reply.successful) {
                retryLater(tab, () -> connect(tab));
            } else {
                tab.failures = 0;
                reconnect(tab);
            }
        }, kind -> {
            error("poll: " + kind);
            retryLater(tab, () -> connect(tab));
        }));
    }

    /** The next connect, after the advice's interval if any. */
    private void reconnect(Tab tab) {
        if (tab.intervalMillis > 0) {
            engine.at(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(tab.intervalMillis), () -> connect(tab));
        } else {
            connect(tab);
        }
    }

    private String connect(Tab tab, String id, String advice) {
        return "[{\"id\":\"" + id + "\",\"channel\":\"/meta/connect\",\"connectionType\":\"long-polling\",\"clientId\":\""
                + tab.clientId + "\"" + advice + "}]";
    }

    /** Keeps what the advice says, which the server sends only when it changes. */
    private static void advise(Tab tab, Message reply) {
        if (reply.interval >= 0) {
            tab.intervalMillis = reply.interval;
        }
        if (reply.timeout >= 0) {
            tab.timeoutMillis = reply.timeout;
        }
    }

    // ---- publishing ----

    @Override
    void publish(Tab sender, String text, Consumer<Boolean> done) {
        if (sender.clientId == null) {
            error("send: no session (handshaking again)");
            done.accept(false);
            return;
        }
        String id = nextId(sender);
        // The text is ASCII letters, digits and spaces (see Swarm#text), the channel [A-Za-z0-9_/-]:
        // nothing to escape.
        String publish = "[{\"id\":\"" + id + "\",\"channel\":\"" + channel(sender.room) + "\",\"data\":{\"text\":\""
                + text + "\"},\"clientId\":\"" + sender.clientId + "\"}]";
        // Not sent again on a fresh connection (retryable false): CometD would publish it twice.
        sender.sendConn.send(post("", JSON_TYPE, publish, sender.cookie), REQUEST_NANOS, false, handler(response -> {
            Message reply = reply(sender, "send", response, id);
            done.accept(reply != null && reply.successful);
        }, kind -> {
            error("send: " + kind);
            done.accept(false);
        }));
    }

    private String channel(int room) {
        return "/chat/" + o.roomName(room);
    }

    private static String nextId(Tab tab) {
        return Integer.toString(++tab.messageId);
    }

    // ---- answers ----

    /**
     * Reads an answer: counts the messages delivered in it, and returns the reply to the request
     * {@code id}, its error counted (as {@code what: …}) when it is not successful; or null, the
     * error counted, when the answer has no reply.
     */
    private Message reply(Tab tab, String what, HttpResponse response, String id) {
        if (response.status() != 200) {
            error(what + ": " + response.status());
            return null;
        }
        long now = System.nanoTime();
        Message reply = null;
        try (JsonParser p = FACTORY.createParser(response.body())) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                error(what + ": not a Bayeux array");
                return null;
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                Message message = readMessage(p);
                if (message.hasData) {
                    if (message.text == null) {
                        error("received: no text");
                    } else {
                        received(tab, message.text, now);
                    }
                } else if (id.equals(message.id)) {
                    reply = message;
                }
            }
        } catch (IOException | RuntimeException e) {
            error(what + ": bad JSON");
            return null;
        }
        if (reply == null) {
            error(what + ": no reply");
            return null;
        }
        if (!reply.successful) {
            error(what + ": " + reply.error);
        }
        return reply;
    }

    private static Message readMessage(JsonParser p) throws IOException {
        String id = null;
        boolean successful = false;
        String clientId = null;
        String error = null;
        String reconnect = null;
        long interval = -1;
        long timeout = -1;
        boolean hasData = false;
        String text = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "id" -> id = p.getValueAsString();
                case "successful" -> successful = value == JsonToken.VALUE_TRUE;
                case "clientId" -> clientId = p.getText();
                case "error" -> error = p.getValueAsString();
                case "advice" -> {
                    if (value != JsonToken.START_OBJECT) {
                        p.skipChildren();
                    }
                    while (value == JsonToken.START_OBJECT && p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        p.nextToken();
                        switch (name) {
                            case "reconnect" -> reconnect = p.getText();
                            case "interval" -> interval = p.getValueAsLong(-1);
                            case "timeout" -> timeout = p.getValueAsLong(-1);
                            default -> p.skipChildren();
                        }
                    }
                }
                case "data" -> {
                    hasData = true;
                    if (value != JsonToken.START_OBJECT) {
                        p.skipChildren();
                    }
                    while (value == JsonToken.START_OBJECT && p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        p.nextToken();
                        if (name.equals("text")) {
                            text = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new Message(id, successful, clientId, error, reconnect, interval, timeout, hasData, text);
    }
}
