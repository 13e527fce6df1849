package io.github.longpollchat.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Tabs speaking Nchan's long-poll protocol: a subscriber {@code GET sub/<channel>} that waits for
 * the next message, then again with {@code If-Modified-Since} and {@code If-None-Match} taken from
 * the previous answer's {@code Last-Modified} and {@code Etag}; a publisher {@code POST
 * pub/<channel>}. There are no joins, so no join storm; "joined" means counted by the channel's
 * {@code subscribers} (GET on the publisher location).
 */
final class NchanSwarm extends Swarm {
    private Conn info;

    NchanSwarm(BenchOptions o, int part, int parts) {
        super(o, part, parts);
    }

    @Override
    void join(Tab tab, Runnable done) {
        park(tab);
        done.run();
    }

    @Override
    void park(Tab tab) {
        if (tab.dead || tab.conn.busy()) {
            return;
        }
        byte[] request = tab.etag == null ? get("sub/" + o.roomName(tab.room))
                : get("sub/" + o.roomName(tab.room), "If-Modified-Since: " + tab.lastModified, "If-None-Match: " + tab.etag);
        tab.conn.send(request, pollNanos, true, handler(response -> {
            responses++;
            int status = response.status();
            if (status == 200) {
                tab.failures = 0;
                tab.lastModified = response.header("last-modified");
                tab.etag = response.header("etag");
                received(tab, new String(response.body(), StandardCharsets.UTF_8), System.nanoTime());
                park(tab);
            } else if (status == 304 || status == 408) {
                // The subscriber timed out with nothing new: poll again with the same headers.
                park(tab);
            } else {
                error("poll: " + status);
                retryLater(tab, () -> park(tab));
            }
        }, kind -> {
            error("poll: " + kind);
            retryLater(tab, () -> park(tab));
        }));
    }

    @Override
    void publish(Tab sender, String text, Consumer<Boolean> done) {
        int room = sender.room;
        sender.sendConn.send(post("pub/" + o.roomName(room), "text/plain", text), REQUEST_NANOS, false, handler(response -> {
            boolean ok = response.status() >= 200 && response.status() < 300;
            if (!ok) {
                error("send: " + response.status());
            }
            done.accept(ok);
        }, kind -> {
            error("send: " + kind);
            done.accept(false);
        }));
    }

    @Override
    void subscribers(int room, LongConsumer done) {
        if (info == null) {
            info = engine.newConn(o.local(0), o.remotes().get(0));
        }
        if (info.busy()) {
            done.accept(-1);
            return;
        }
        info.send(get("pub/" + o.roomName(room), "Accept: application/json"), REQUEST_NANOS, true, handler(response -> {
            if (response.status() == 404) {
                done.accept(0);
                return;
            }
            try {
                done.accept(JSON.readTree(response.body()).path("subscribers").asLong(-1));
            } catch (IOException e) {
                done.accept(-1);
            }
        }, kind -> done.accept(-1)));
    }
}
