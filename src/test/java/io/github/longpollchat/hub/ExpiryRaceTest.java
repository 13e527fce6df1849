package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.longpollchat.config.Option;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A send racing its sender's expiry: either the send comes first, is accepted and (being a
 * request) keeps the client alive, or the expiry comes first, posts the leave, and the send is
 * refused with 410 and posts nothing. Never a message after its sender's leave, never both.
 */
@Timeout(60)
class ExpiryRaceTest {
    private static final int CLIENTS = 40;

    @Test
    void aSendRacingExpiryIsEitherBeforeTheLeaveOrRefused() throws Exception {
        try (Hub hub = HubFixture.hub(Option.CLIENT_TTL, 1, Option.HISTORY, 10000)) {
            List<JoinResult> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(hub.join("c" + i, "expiry", null));
            }
            Thread.sleep(1100); // all are now past their TTL; the sweep below expires them
            CyclicBarrier start = new CyclicBarrier(CLIENTS + 1);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
            List<Future<Long>> sends = new ArrayList<>();
            for (JoinResult client : clients) {
                sends.add(pool.submit(() -> {
                    start.await();
                    try {
                        return hub.send(client.clientId(), "last words", null);
                    } catch (Refusal refusal) {
                        assertEquals(ChatError.UNKNOWN_CLIENT, refusal.error());
                        return -1L;
                    }
                }));
            }
            Future<?> sweep = pool.submit(() -> {
                start.await();
                hub.sweep();
                return null;
            });
            sweep.get();
            for (Future<Long> send : sends) {
                send.get();
            }
            List<PostedEvent> history = hub.join("observer", "expiry", null).history();
            int live = 0;
            for (int i = 0; i < CLIENTS; i++) {
                long id = sends.get(i).get();
                String name = clients.get(i).name();
                long leaves = count(history, Event.LEAVE, name);
                long messages = count(history, Event.MESSAGE, name);
                if (id > 0) {
                    // The send came first and refreshed the client: it is alive, and stays.
                    live++;
                    assertEquals(1, messages, name);
                    assertEquals(0, leaves, name + ": a client whose send was accepted just now is not expired");
                } else {
                    assertEquals(1, leaves, name);
                    assertEquals(0, messages, name + ": a refused send posts nothing");
                }
            }
            assertEquals(live + 1, hub.stats().clients(), "the survivors and the observer are live, no one else");
            pool.shutdownNow();
        }
    }

    private static long count(List<PostedEvent> history, String type, String name) {
        return history.stream().filter(e -> e.event().type().equals(type) && e.event().name().equals(name)).count();
    }
}
