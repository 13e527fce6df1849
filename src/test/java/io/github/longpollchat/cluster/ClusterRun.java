package io.github.longpollchat.cluster;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.Cluster;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The cluster a test class runs against, started before its tests and stopped after them:
 * {@link ChatTarget#CLUSTER_JARS} jars on a Redis of their own, and the WAR in Tomcat too when
 * asked for and {@link Cluster#tomcatAvailable()}, behind the balancer. Skipped with
 * {@code -DskipCluster=true}.
 *
 * <pre>{@code @RegisterExtension static final ClusterRun run = ClusterRun.with(true, Map.of(Option.RATE_LIMIT, "0"));}</pre>
 */
final class ClusterRun implements BeforeAllCallback, AfterAllCallback {
    private final boolean withTomcat;
    private final Map<Option, String> settings;
    private Cluster cluster;

    private ClusterRun(boolean withTomcat, Map<Option, String> settings) {
        this.withTomcat = withTomcat;
        this.settings = settings;
    }

    static ClusterRun with(boolean withTomcat, Map<Option, String> settings) {
        return new ClusterRun(withTomcat, settings);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("chat.skipCluster"), "skipCluster");
        cluster = Cluster.start(context.getRequiredTestClass().getSimpleName(), ChatTarget.CLUSTER_JARS,
                withTomcat && Cluster.tomcatAvailable(), settings);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    Cluster cluster() {
        return cluster;
    }
}
