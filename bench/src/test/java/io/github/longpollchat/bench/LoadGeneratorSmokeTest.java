package io.github.longpollchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.launcher.ChatServer;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A smoke run of the load generator against the embedded server, so that CI knows it still
 * works and that nothing is lost or delivered twice; the benchmark itself is bench/run.sh, never
 * a timed test. Nothing here asserts a latency or a rate.
 */
@Timeout(180)
class LoadGeneratorSmokeTest {
    @Test
    void twoHundredTabsJoiningInWavesEachReceiveTwentyMessagesExactlyOnce() throws Exception {
        assertNothingLostOrDoubled(200, "--messages=20", "--senders=2", "--wave=50");
    }

    @Test
    void tabsSpreadOverWorkerProcessesAndRoomsLoseNothing() throws Exception {
        assertNothingLostOrDoubled(120, "--scenario=rooms", "--clients=120", "--room-size=40", "--messages=30",
                "--rate=30", "--per-process=50", "--worker-heap-mb=128");
    }

    /**
     * Each request to the next of two node URLs, round robin, as to the nodes of one chat: here one
     * server under two URLs, so that nothing but the turn-taking is tried.
     */
    @Test
    void tabsTakingTwoNodeUrlsInTurnLoseNothing() throws Exception {
        ChatServer server = ChatServer.newServer(Settings.defaults()
                .with(Option.PORT, 0).with(Option.HOST, "127.0.0.1").with(Option.RATE_LIMIT, 0)).start();
        try {
            String url = server.uri().toString();
            assertNothingLostOrDoubled(url + "," + url.replace("127.0.0.1", "localhost"), 60, "--messages=20",
                    "--senders=2");
        } finally {
            server.stop();
        }
    }

    /** Nchan's protocol, as the benchmark speaks it to Nchan, against the floor that speaks it too. */
    @ParameterizedTest
    @ValueSource(strings = {"core", "servlet"})
    void nchanProtocolTabsOnTheJettyFloorEachReceiveTwentyMessagesExactlyOnce(String api) throws Exception {
        Server floor = JettyFloor.start(0, api, 16);
        try {
            assertNothingLostOrDoubled(url(floor, ""), 100, "--target=nchan", "--messages=20", "--senders=2");
        } finally {
            floor.stop();
        }
    }

    /**
     * Bayeux long polling against CometD: handshakes, subscriptions, the connect loop, messages
     * delivered in any answer (a sender's also in its publish's), each counted once.
     */
    @Test
    void bayeuxTabsOnCometDEachReceiveTwentyMessagesExactlyOnce() throws Exception {
        Server cometd = CometDChat.start(0, 16, 30);
        try {
            assertNothingLostOrDoubled(url(cometd, CometDChat.PATH), 100, "--target=cometd", "--messages=20",
                    "--senders=2");
        } finally {
            cometd.stop();
        }
    }

    private static String url(Server server, String path) {
        return "http://127.0.0.1:" + BenchJetty.port(server) + "/" + path;
    }

    private static void assertNothingLostOrDoubled(int tabs, String... flags) throws Exception {
        ChatServer server = ChatServer.newServer(Settings.defaults()
                .with(Option.PORT, 0).with(Option.HOST, "127.0.0.1").with(Option.RATE_LIMIT, 0)).start();
        try {
            assertNothingLostOrDoubled(server.uri().toString(), tabs, flags);
        } finally {
            server.stop();
        }
    }

    private static void assertNothingLostOrDoubled(String url, int tabs, String... flags) throws Exception {
        String[] common = {"--url=" + url, "--clients=" + tabs, "--rate=20",
            "--sources=2", "--warmup-seconds=0", "--drain-seconds=30", "--verbose=false",
            "--server-pid=" + ProcessHandle.current().pid()};
        String[] all = new String[common.length + flags.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(flags, 0, all, common.length, flags.length);
        LoadGenerator.Result result = LoadGenerator.run(BenchOptions.parse(all));
        String report = result.table();
        assertEquals(tabs * result.json().get("messages").asLong() / result.json().get("rooms").asLong(),
                result.expected(), report);
        assertEquals(0, result.missing(), report);
        assertEquals(0, result.duplicated(), report);
        assertEquals(0, result.errorCount(), report);
        assertEquals(result.expected(), result.received(), report);
    }
}
