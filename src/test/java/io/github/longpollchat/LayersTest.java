package io.github.longpollchat;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers, read from the compiled classes (so a fully qualified name counts as much as an
 * import): the hub is the chat and knows no HTTP; the servlets serve any container and know no
 * launcher; only the launcher knows Jetty; only the Redis engine knows its Redis client; only the
 * metrics know the metrics library, and the hub knows neither. Each rule fails if no class is in its layer.
 */
class LayersTest {
    private static final String ROOT = "io.github.longpollchat";
    private static JavaClasses product;

    @BeforeAll
    static void importTheProductsClasses() {
        product = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void theHubKnowsNoServletsNoJettyAndNoHttpLayer() {
        noClasses().that().resideInAPackage(ROOT + ".hub..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "jakarta.servlet..", "org.eclipse.jetty..", ROOT + ".http..", ROOT + ".launcher..")
                .check(product);
    }

    @Test
    void theServletsKnowNoLauncher() {
        noClasses().that().resideInAPackage(ROOT + ".http..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".launcher..")
                .check(product);
    }

    @Test
    void onlyTheLauncherKnowsJetty() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".launcher..")
                .should().dependOnClassesThat().resideInAPackage("org.eclipse.jetty..")
                .check(product);
    }

    @Test
    void onlyTheRedisEngineKnowsItsClient() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".hub.redis..")
                .should().dependOnClassesThat().resideInAnyPackage("io.lettuce..", "io.netty..", "reactor..")
                .check(product);
    }

    @Test
    void onlyTheMetricsKnowTheMetricsLibrary() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".metrics..")
                .should().dependOnClassesThat().resideInAPackage("io.prometheus..")
                .check(product);
    }

    @Test
    void theHubTellsEventsWithoutKnowingTheMetrics() {
        noClasses().that().resideInAPackage(ROOT + ".hub..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".metrics..")
                .check(product);
    }

    @Test
    void theMetricsKnowNoHttpAndNoLauncher() {
        noClasses().that().resideInAPackage(ROOT + ".metrics..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ROOT + ".http..", ROOT + ".launcher..", "jakarta.servlet..", "org.eclipse.jetty..")
                .check(product);
    }

    @Test
    void theSettingsKnowNoOtherLayer() {
        noClasses().that().resideInAPackage(ROOT + ".config..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ROOT + ".hub..", ROOT + ".http..", ROOT + ".launcher..", "jakarta.servlet..", "org.eclipse.jetty..")
                .check(product);
    }
}
