package io.github.longpollchat.cluster;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.Cluster;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/** How the cluster tests start their cluster: skipped with {@code -DskipCluster=true}. */
final class ClusterRun {
    private ClusterRun() {
    }

    /**
     * {@link ChatTarget#CLUSTER_JARS} jars on a Redis of their own, and the WAR in Tomcat too when
     * {@code withTomcat} and {@link Cluster#tomcatAvailable()}, behind the balancer.
     */
    static Cluster start(Class<?> test, boolean withTomcat, Map<Option, String> settings) throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("chat.skipCluster"), "skipCluster");
        return Cluster.start(test.getSimpleName(), ChatTarget.CLUSTER_JARS, withTomcat && Cluster.tomcatAvailable(), settings);
    }
}
