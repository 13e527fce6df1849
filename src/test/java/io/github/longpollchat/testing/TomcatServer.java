package io.github.longpollchat.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The WAR deployed in a real Apache Tomcat distribution, in a child JVM, for tests.
 *
 * <p>Each server gets a fresh {@code CATALINA_BASE} (a new folder under the given parent, normally
 * {@code target/tomcat-bases/}): the distribution's {@code conf/} is copied and changed so that
 * the only connector is HTTP on {@code 127.0.0.1} at a free port, the shutdown port is off
 * ({@code <Server port="-1">}), AJP is gone, all logging goes to one file
 * ({@code logs/tomcat.log}) and no webapp but ours is deployed: the WAR is copied as
 * {@code webapps/longpoll-chat.war} and {@code conf/Catalina/localhost/longpoll-chat.xml} carries the
 * init-parameters as {@code <Parameter override="false">}. Tomcat is started with this JVM's
 * {@code java} and {@code Bootstrap} directly (no shell scripts: exec bits may be lost when Maven
 * unpacks the tar.gz), and is stopped with SIGTERM, then forcibly after {@value #STOP_SECONDS} s;
 * a JVM shutdown hook makes sure it never outlives the tests. {@code CHAT_*} variables of this
 * environment are not passed on, so only the init-parameters (and defaults) decide the settings.
 */
public final class TomcatServer implements AutoCloseable {
    /** The context path, without slashes. */
    public static final String CONTEXT = "longpoll-chat";
    public static final int START_SECONDS = 60;
    public static final int STOP_SECONDS = 15;
    private static final String LOG_FILE = "tomcat.log";
    private static final int LOG_TAIL_LINES = 80;

    private final Path home;
    private final Path war;
    private final Map<String, String> initParameters;
    private final Path basesDir;
    private final String name;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private Path catalinaBase;
    private Path log;
    private Process process;
    private Thread shutdownHook;
    private int port;
    private Duration startDuration;

    /**
     * @param home the unpacked distribution ({@code CATALINA_HOME}, holding {@code bin/bootstrap.jar})
     * @param war the WAR to deploy at {@code /longpoll-chat}
     * @param initParameters context init-parameters, flag name → value ({@code poll-timeout} → {@code 7})
     * @param basesDir where the {@code CATALINA_BASE} folder is made
     * @param name a prefix of the base folder's name, for finding its log (a test class name)
     */
    public TomcatServer(Path home, Path war, Map<String, String> initParameters, Path basesDir, String name) {
        this.home = home.toAbsolutePath().normalize();
        this.war = war.toAbsolutePath().normalize();
        this.initParameters = new LinkedHashMap<>(initParameters);
        this.basesDir = basesDir.toAbsolutePath().normalize();
        this.name = name.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /**
     * A server for the Tomcat of the system properties the pom sets for failsafe: {@code chat.tomcat.home}
     * (the unpacked distribution), {@code chat.war}, and {@code chat.tomcat.bases} (default
     * {@code target/tomcat-bases}).
     */
    public static TomcatServer fromProperties(Map<String, String> initParameters, String name) {
        return new TomcatServer(requiredPath("chat.tomcat.home"), requiredPath("chat.war"), initParameters,
                Path.of(System.getProperty("chat.tomcat.bases", "target/tomcat-bases")), name);
    }

    private static Path requiredPath(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("the WAR in Tomcat needs the system property " + property);
        }
        return Path.of(value);
    }

    /** Makes the base, starts Tomcat and waits until the application answers; stops it on failure. */
    public TomcatServer start() throws IOException, InterruptedException {
        if (process != null) {
            throw new IllegalStateException("already started");
        }
        requireFile(home.resolve("bin/bootstrap.jar"), "Tomcat home (chat.tomcat.home)");
        requireFile(home.resolve("bin/tomcat-juli.jar"), "Tomcat home (chat.tomcat.home)");
        requireFile(war, "WAR (chat.war)");
        long begin = System.nanoTime();
        Files.createDirectories(basesDir);
        catalinaBase = Files.createTempDirectory(basesDir, name + "-" + home.getFileName() + "-");
        log = catalinaBase.resolve("logs").resolve(LOG_FILE);
        makeBase();
        try {
            for (int attempt = 1; ; attempt++) {
                port = Scratch.freePort();
                writeServerXml();
                launch(attempt);
                Outcome outcome = awaitReady();
                if (outcome == Outcome.READY) {
                    break;
                }
                destroyProcess();
                if (outcome == Outcome.BIND_FAILED && attempt == 1) {
                    continue; // someone took the free port between our check and Tomcat's bind: once more
                }
                throw new IllegalStateException("Tomcat " + home.getFileName() + " did not start ("
                        + outcome.text + "); base " + catalinaBase + ", log tail:\n" + logTail());
            }
        } catch (RuntimeException | IOException | InterruptedException | Error e) {
            destroyProcess();
            throw e;
        }
        startDuration = Duration.ofNanos(System.nanoTime() - begin);
        System.out.printf("Tomcat %s ready at %s in %d ms (base %s)%n",
                home.getFileName(), base(), startDuration.toMillis(), catalinaBase);
        return this;
    }

    /** {@code http://127.0.0.1:PORT/longpoll-chat/} */
    public URI base() {
        return URI.create("http://127.0.0.1:" + port + "/" + CONTEXT + "/");
    }

    public int port() {
        return port;
    }

    public Path catalinaBase() {
        return catalinaBase;
    }

    /** Tomcat's console output and all its logging. */
    public Path log() {
        return log;
    }

    public Duration startDuration() {
        return startDuration;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * SIGTERM (Tomcat's own shutdown hook then stops its connectors and undeploys the webapp),
     * up to {@value #STOP_SECONDS} s, then SIGKILL. Leaves {@code conf/} and {@code logs/} of the
     * base for a look afterwards and deletes the rest. Idempotent.
     *
     * @return the exit status, or -1 when there was nothing to stop
     */
    public int stop() throws InterruptedException {
        int status = destroyProcess();
        if (catalinaBase != null) {
            for (String bulky : List.of("webapps", "work", "temp")) {
                Scratch.deleteTree(catalinaBase.resolve(bulky));
            }
        }
        return status;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** SIGKILL: Tomcat is gone at once, with whatever it held, as when its machine fails. {@link #stop()} still cleans up. */
    public void killNow() throws InterruptedException {
        Process running = process;
        if (running != null) {
            running.destroyForcibly();
            running.waitFor(10, TimeUnit.SECONDS);
        }
    }

    // --- the base ---

    private void makeBase() throws IOException {
        copyTree(home.resolve("conf"), catalinaBase.resolve("conf"));
        for (String dir : List.of("logs", "temp", "work", "webapps")) {
            Files.createDirectories(catalinaBase.resolve(dir));
        }
        // Context descriptors that came with the distribution's conf/ would deploy other apps.
        Scratch.deleteTree(catalinaBase.resolve("conf/Catalina"));
        Path descriptors = Files.createDirectories(catalinaBase.resolve("conf/Catalina/localhost"));
        Files.writeString(catalinaBase.resolve("conf/logging.properties"), String.join("\n",
                "# One console handler, redirected to logs/" + LOG_FILE + " by the test harness.",
                "handlers = java.util.logging.ConsoleHandler",
                ".handlers = java.util.logging.ConsoleHandler",
                ".level = INFO",
                "java.util.logging.ConsoleHandler.level = ALL",
                "java.util.logging.ConsoleHandler.formatter = org.apache.juli.OneLineFormatter",
                "java.util.logging.ConsoleHandler.encoding = UTF-8",
                ""), StandardCharsets.UTF_8);
        Files.copy(war, catalinaBase.resolve("webapps/" + CONTEXT + ".war"));
        StringBuilder context = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Context>\n");
        initParameters.forEach((key, value) -> context.append("  <Parameter name=\"").append(xml(key))
                .append("\" value=\"").append(xml(value)).append("\" override=\"false\"/>\n"));
        context.append("</Context>\n");
        Files.writeString(descriptors.resolve(CONTEXT + ".xml"), context, StandardCharsets.UTF_8);
    }

    /**
     * The distribution's server.xml, with one HTTP connector on 127.0.0.1:port, no shutdown port,
     * and error reports without stack traces.
     */
    private void writeServerXml() throws IOException {
        Path source = home.resolve("conf/server.xml");
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder builder = factory.newDocumentBuilder();
            Document doc = builder.parse(source.toFile());
            Element server = doc.getDocumentElement();
            if (!server.getTagName().equals("Server")) {
                throw new IllegalStateException(source + ": root is not <Server>");
            }
            server.setAttribute("port", "-1");
            NodeList connectors = doc.getElementsByTagName("Connector");
            List<Element> all = new ArrayList<>();
            for (int i = 0; i < connectors.getLength(); i++) {
                all.add((Element) connectors.item(i));
            }
            Element http = null;
            for (Element connector : all) {
                String protocol = connector.getAttribute("protocol");
                boolean ajp = protocol.toUpperCase(Locale.ROOT).contains("AJP");
                boolean tls = connector.getAttribute("SSLEnabled").equalsIgnoreCase("true")
                        || connector.getElementsByTagName("SSLHostConfig").getLength() > 0;
                if (http == null && !ajp && !tls) {
                    http = connector;
                } else {
                    connector.getParentNode().removeChild(connector);
                }
            }
            if (http == null) {
                throw new IllegalStateException(source + ": no HTTP connector to rewrite");
            }
            http.setAttribute("port", Integer.toString(port));
            http.setAttribute("address", "127.0.0.1");
            http.removeAttribute("executor");
            // As docs/security.md recommends: Tomcat's own error pages (for requests it refuses before the
            // app sees them) without exception reports or the server's version.
            NodeList hosts = doc.getElementsByTagName("Host");
            for (int i = 0; i < hosts.getLength(); i++) {
                Element valve = doc.createElement("Valve");
                valve.setAttribute("className", "org.apache.catalina.valves.ErrorReportValve");
                valve.setAttribute("showReport", "false");
                valve.setAttribute("showServerInfo", "false");
                hosts.item(i).appendChild(valve);
            }
            Transformer transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            transformer.transform(new DOMSource(doc),
                    new StreamResult(catalinaBase.resolve("conf/server.xml").toFile()));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot rewrite " + source + ": " + e, e);
        }
    }

    // --- the process ---

    private void launch(int attempt) throws IOException {
        String javaCommand = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(javaCommand,
                // What catalina.sh passes, so that Tomcat behaves as it does when started normally.
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED",
                "-Djava.util.logging.config.file=" + catalinaBase.resolve("conf/logging.properties"),
                "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
                "-Djdk.tls.ephemeralDHKeySize=2048",
                "-Djava.protocol.handler.pkgs=org.apache.catalina.webresources",
                // A connector that cannot bind ends the process at once instead of running without it.
                "-Dorg.apache.catalina.startup.EXIT_ON_INIT_FAILURE=true",
                "-Dcatalina.home=" + home,
                "-Dcatalina.base=" + catalinaBase,
                "-Djava.io.tmpdir=" + catalinaBase.resolve("temp"),
                "-cp", home.resolve("bin/bootstrap.jar") + File.pathSeparator + home.resolve("bin/tomcat-juli.jar"),
                "org.apache.catalina.startup.Bootstrap", "start"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(catalinaBase.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("CHAT_"));
        Files.writeString(log, "=== attempt " + attempt + ", port " + port + ": " + String.join(" ", command) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process started = builder.start();
        started.getOutputStream().close();
        process = started;
        shutdownHook = new Thread(() -> kill(started), "stop " + catalinaBase.getFileName());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private enum Outcome {
        READY("ready"),
        BIND_FAILED("its connector could not bind the port"),
        EXITED("the process exited"),
        DEPLOY_FAILED("the webapp failed to deploy"),
        TIMED_OUT("no 200 from the application within " + START_SECONDS + " s");

        final String text;

        Outcome(String text) {
            this.text = text;
        }
    }

    private Outcome awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        HttpRequest probe = HttpRequest.newBuilder(base()).timeout(Duration.ofSeconds(2)).GET().build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                process.waitFor();
                String text = Files.readString(log, StandardCharsets.UTF_8);
                return text.contains("BindException") || text.contains("Address already in use")
                        ? Outcome.BIND_FAILED : Outcome.EXITED;
            }
            try {
                HttpResponse<Void> response = http.send(probe, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return Outcome.READY;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (deployFailed()) {
                return Outcome.DEPLOY_FAILED;
            }
            Thread.sleep(100);
        }
        return Outcome.TIMED_OUT;
    }

    /** Tomcat keeps running when a webapp fails to start; its log says so. */
    private boolean deployFailed() throws IOException {
        String text = Files.readString(log, StandardCharsets.UTF_8);
        return text.contains("Context [/" + CONTEXT + "] startup failed")
                || text.contains("Error deploying")
                || text.contains("One or more listeners failed to start");
    }

    private int destroyProcess() throws InterruptedException {
        Process running = process;
        if (running == null) {
            return -1;
        }
        process = null;
        int status = kill(running);
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: fine
            }
            shutdownHook = null;
        }
        return status;
    }

    private static int kill(Process running) {
        try {
            running.destroy();
            if (!running.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                running.destroyForcibly();
                running.waitFor(10, TimeUnit.SECONDS);
            }
            return running.isAlive() ? -1 : running.exitValue();
        } catch (InterruptedException e) {
            running.destroyForcibly();
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    // --- helpers ---

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(what + ": " + file + " does not exist");
        }
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&apos;");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
