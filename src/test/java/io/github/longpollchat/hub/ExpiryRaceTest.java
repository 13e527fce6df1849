package io.github.longpollchat.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 *
 * <p>The hub's background sweep is off, so the test's one sweep is what races the sends; a round
 * in which every send won, or every one lost, did not show the race, and another is run.
 */
@Timeout(60)
class ExpiryRaceTest {
    private static final int CLIENTS = 40;
    private static final int MAX_ROUNDS = 5;

    @Test
    void aSendRacingExpiryIsEitherBeforeTheLeaveOrRefused() throws Exception {
        int survivors = 0;
        for (int round = 0; round < MAX_ROUNDS && (survivors == 0 || survivors == CLIENTS); round++) {
            survivors = race();
        }
        assertTrue(survivors > 0 && survivors < CLIENTS,
                "in " + MAX_ROUNDS + " rounds, no round had sends both before and after the expiry");
    }

    /** One race of CLIENTS sends against one sweep; checks the rule, returns how many sends won. */
    private static int race() throws Exception {
        try (MemoryHub hub = HubFixture.unsweptHub(Option.CLIENT_TTL, 1, Option.HISTORY, 10000)) {
            List<JoinResult> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(hub.joinNow("c" + i, "expiry", null, "127.0.0.1"));
            }
            Thread.sleep(1100); // all are now past their TTL; the sweep below expires them
            CyclicBarrier start = new CyclicBarrier(CLIENTS + 1);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
            List<Future<Long>> sends = new ArrayList<>();
            for (JoinResult client : clients) {
                sends.add(pool.submit(() -> {
                    start.await();
                    try {
                        return hub.sendNow(client.clientId(), "last words", null);
                    } catch (Refusal refusal) {
                        assertEquals(Reason.UNKNOWN_CLIENT, refusal.reason());
                        return -1L;
                    }
                }));
            }
            Future<?> sweep = pool.submit(() -> {
                start.await();
                hub.sweeper.sweep();
                return null;
            });
            sweep.get();
            for (Future<Long> send : sends) {
                send.get();
            }
            List<PostedEvent> history = hub.joinNow("observer", "expiry", null, "127.0.0.1").history();
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
            return live;
        }
    }

    private static long count(List<PostedEvent> history, String type, String name) {
        return history.stream().filter(e -> e.event().type().equals(type) && e.event().name().equals(name)).count();
    }
}
