package io.github.longpollchat.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Tabs speaking this server's protocol (docs/protocol.md): {@code POST /join}, then {@code GET
 * /get_msg} with the cursor of the last event processed, again as soon as each answer arrives;
 * senders {@code POST /send_msg} with a {@code msgId}, so a send retried on a fresh connection is
 * never posted twice.
 *
 * <p>Join storms: in a room that is not big, N joins make N²/2 join events. Tabs join in waves,
 * and the members acknowledge what is queued for them with {@code cursor} above every id (the
 * protocol drops them all and answers with the newest id), so that the join events never travel
 * and no mailbox overflows; the load generator has them do so only when a probe finds events
 * piling up (a big room posts no join events).
 */
final class ChatSwarm extends Swarm {
    /** A cursor above every id: acknowledges all that is queued (the server takes up to 18 digits). */
    private static final long ABOVE_ALL = 999_999_999_999_999_999L;

    ChatSwarm(BenchOptions o, int part, int parts) {
        super(o, part, parts);
    }

    @Override
    void join(Tab tab, Runnable done) {
        long start = System.nanoTime();
        String form = "name=u" + tab.index + "&room=" + o.roomName(tab.room);
        tab.conn.send(post("join", "application/x-www-form-urlencoded", form), REQUEST_NANOS, false, handler(response -> {
            if (response.status() == 200) {
                try (JsonParser p = FACTORY.createParser(response.body())) {
                    p.nextToken();
                    while (p.nextToken() == JsonToken.FIELD_NAME && (tab.clientId == null || tab.cursor < 0)) {
                        String field = p.currentName();
                        p.nextToken();
                        switch (field) {
                            case "clientId" -> tab.clientId = p.getText();
                            case "cursor" -> tab.cursor = p.getLongValue();
                            default -> p.skipChildren();
                        }
                    }
                } catch (IOException e) {
                    error("join: bad JSON");
                }
                tab.lastId = tab.cursor;
                joinLatency.record(System.nanoTime() - start);
            } else {
                httpError("join", response);
                tab.dead = true;
            }
            done.run();
        }, kind -> {
            error("join: " + kind);
            tab.dead = true;
            done.run();
        }));
    }

    @Override
    void ack(Tab tab, Runnable done) {
        tab.conn.send(get(pollQuery(tab, ABOVE_ALL, 0)), REQUEST_NANOS, true, handler(response -> {
            if (response.status() == 200) {
                readPoll(tab, response.body(), false);
            } else {
                httpError("ack", response);
                tab.dead = response.status() == 410;
            }
            done.run();
        }, kind -> {
            error("ack: " + kind);
            done.run();
        }));
    }

    @Override
    void park(Tab tab) {
        if (tab.dead) {
            return;
        }
        tab.conn.send(get(pollQuery(tab, tab.cursor, o.pollTimeout)), pollNanos, true, handler(response -> {
            responses++;
            if (response.status() == 200) {
                tab.failures = 0;
                if (readPoll(tab, response.body(), true)) {
                    park(tab);
                }
            } else if (response.status() == 410) {
                httpError("poll", response);
                tab.dead = true;
            } else {
                httpError("poll", response);
                retryLater(tab, () -> park(tab));
            }
        }, kind -> {
            error("poll: " + kind);
            retryLater(tab, () -> park(tab));
        }));
    }

    private String pollQuery(Tab tab, long cursor, int timeout) {
        return "get_msg?clientId=" + tab.clientId + "&cursor=" + cursor + "&timeout=" + timeout;
    }

    /**
     * Reads a poll answer: counts its messages and moves the tab's cursor.
     *
     * @param count false for the acknowledgements of the join phase
     * @return false when the tab must stop polling (superseded, or an answer it cannot read)
     */
    private boolean readPoll(Tab tab, byte[] body, boolean count) {
        long now = System.nanoTime();
        try (JsonParser p = FACTORY.createParser(body)) {
            p.nextToken();
            long cursor = -1;
            boolean superseded = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "cursor" -> cursor = p.getLongValue();
                    case "superseded" -> superseded = p.getBooleanValue();
                    case "messages" -> {
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            readEvent(tab, p, now, count);
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (superseded) {
                error("poll: superseded");
                return false;
            }
            if (cursor < 0) {
                error("poll: no cursor");
                return false;
            }
            if (!count) {
                // Everything queued was dropped by the acknowledgement: the cursor is the newest id.
                tab.lastId = cursor;
            }
            tab.cursor = cursor;
            return true;
        } catch (IOException | RuntimeException e) {
            error("poll: bad JSON");
            return false;
        }
    }

    private void readEvent(Tab tab, JsonParser p, long now, boolean count) throws IOException {
        long id = -1;
        String type = null;
        String text = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "id" -> id = p.getLongValue();
                case "type" -> type = p.getText();
                case "text" -> text = p.getText();
                default -> p.skipChildren();
            }
        }
        if (!count) {
            return;
        }
        if (id <= tab.lastId) {
            // Sent again although acknowledged: a client ignores it, and we count it.
            redelivered++;
            return;
        }
        if (tab.lastId >= 0 && id != tab.lastId + 1) {
            gaps++;
        }
        tab.lastId = id;
        if ("message".equals(type) && text != null) {
            received(tab, text, now);
        }
    }

    @Override
    void publish(Tab sender, String text, Consumer<Boolean> done) {
        String msgId = text.substring(0, text.indexOf(' '));
        String form = "clientId=" + sender.clientId + "&msgId=" + msgId + "&text="
                + URLEncoder.encode(text, StandardCharsets.UTF_8);
        sender.sendConn.send(post("send_msg", "application/x-www-form-urlencoded", form), REQUEST_NANOS, true,
                handler(response -> {
                    if (response.status() != 200) {
                        httpError("send", response);
                    }
                    done.accept(response.status() == 200);
                }, kind -> {
                    error("send: " + kind);
                    done.accept(false);
                }));
    }

    /** Counts an error answer by its status and the protocol's error code. */
    private void httpError(String what, HttpResponse response) {
        String code = "";
        try {
            code = " " + JSON.readTree(response.body()).path("error").asText();
        } catch (IOException | RuntimeException notJson) {
            // no code
        }
        error(what + ": " + response.status() + code);
    }
}
