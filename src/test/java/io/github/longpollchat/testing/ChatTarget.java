package io.github.longpollchat.testing;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import io.github.longpollchat.hub.Hub;
import io.github.longpollchat.launcher.ChatServer;
import java.net.URI;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The server a test class talks to, started before its tests and stopped after them, on a free
 * port of 127.0.0.1. Which server is chosen by the system property {@code chat.target}:
 * {@code jar} (default: the embedded Jetty server in this JVM), {@code jar-redis} (the same, with
 * the chat kept in a private {@link RedisServer}), {@code tomcat} (the WAR in a real Tomcat
 * distribution, see {@link TomcatServer}) or {@code cluster} (protocol v1.1 "Many
 * nodes": {@value #CLUSTER_JARS} jar processes and the WAR in Tomcat, all on one private
 * {@link RedisServer}, behind a round-robin {@link Balancer}, see {@link Cluster}; the jars alone
 * where {@link Cluster#tomcatAvailable()} says no). Protocol tests are
 * written once against {@link #client()} and run against each; what only the jar in this JVM can
 * show ({@link #hub()}) they skip elsewhere.
 *
 * <p>For {@code tomcat}: {@code chat.tomcat.home} is the unpacked distribution, {@code chat.war}
 * the WAR, {@code chat.tomcat.bases} where the {@code CATALINA_BASE} folders are made (default
 * {@code target/tomcat-bases}); the overrides become context init-parameters named by
 * {@link Option#flag()}, apart from the jar-only ones. For {@code cluster}: {@code chat.jar} the jar,
 * and the same for its Tomcat node.
 *
 * <pre>{@code @RegisterExtension static ChatTarget chat = ChatTarget.with(Option.CLIENT_TTL, 2);}</pre>
 */
public final class ChatTarget implements BeforeAllCallback, AfterAllCallback {
    /** Jar nodes of {@code chat.target=cluster}; with Tomcat, the WAR is one more. */
    public static final int CLUSTER_JARS = 3;
    private final Map<Option, String> overrides = new EnumMap<>(Option.class);
    private ChatServer jar;
    private RedisServer redis;
    private TomcatServer tomcat;
    private Cluster cluster;
    private String name = "ChatTarget";
    private URI base;
    private ChatClient client;

    private ChatTarget() {
    }

    public static ChatTarget withDefaults() {
        return new ChatTarget();
    }

    public static ChatTarget with(Option option, Object value) {
        return new ChatTarget().and(option, value);
    }

    public ChatTarget and(Option option, Object value) {
        overrides.put(option, String.valueOf(value));
        return this;
    }

    public static String target() {
        return System.getProperty("chat.target", "jar");
    }

    /** Whether the server is the jar's, in this JVM, with either engine. */
    public static boolean isJar() {
        return target().startsWith("jar");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        name = context.getTestClass().map(Class::getSimpleName).orElse(name);
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    public void start() throws Exception {
        switch (target()) {
            case "jar", "jar-redis" -> {
                Map<Option, String> values = new EnumMap<>(overrides);
                if (target().equals("jar-redis")) {
                    redis = RedisServer.start();
                    values.put(Option.REDIS, redis.uri());
                }
                values.put(Option.PORT, "0");
                values.put(Option.HOST, "127.0.0.1");
                jar = ChatServer.newServer(Settings.resolve(values, name -> null)).start();
                base = URI.create("http://127.0.0.1:" + jar.port() + "/");
            }
            case "tomcat" -> {
                tomcat = TomcatServer.fromProperties(initParameters(overrides), name).start();
                base = tomcat.base();
            }
            case "cluster" -> {
                cluster = Cluster.start(name, CLUSTER_JARS, Cluster.tomcatAvailable(), overrides);
                base = cluster.base();
            }
            default -> throw new IllegalStateException("unknown chat.target: " + target());
        }
        client = new ChatClient(base);
    }

    public void stop() throws Exception {
        if (jar != null) {
            jar.stop();
            jar = null;
        }
        if (tomcat != null) {
            tomcat.stop();
            tomcat = null;
        }
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
        if (redis != null) {
            redis.close();
            redis = null;
        }
    }

    /**
     * The overrides as the WAR's context init-parameters, named by {@link Option#flag()}, without
     * the jar-only {@link Option#JAR_ONLY}.
     */
    static Map<String, String> initParameters(Map<Option, String> settings) {
        Map<String, String> parameters = new LinkedHashMap<>();
        settings.forEach((option, value) -> {
            if (!Option.JAR_ONLY.contains(option)) {
                parameters.put(option.flag(), value);
            }
        });
        return parameters;
    }

    public URI base() {
        return base;
    }

    public ChatClient client() {
        return client;
    }

    /**
     * Where {@code /metrics}, {@code /healthz} and {@code /readyz} answer this test's loopback
     * calls: the jar's admin port (when the test set {@link Option#ADMIN_PORT}), or the WAR's own
     * base. None for a cluster, whose balancer forwards every call (and whose nodes each have their own).
     */
    public Optional<URI> adminBase() {
        if (jar != null) {
            return Optional.ofNullable(jar.adminUri());
        }
        return tomcat != null ? Optional.of(base) : Optional.empty();
    }

    /** The hub, when the server runs in this JVM; tests that need it skip elsewhere. */
    public Optional<Hub> hub() {
        return jar == null ? Optional.empty() : Optional.of(jar.hub());
    }
}
