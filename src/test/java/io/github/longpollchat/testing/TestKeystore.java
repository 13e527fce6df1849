package io.github.longpollchat.testing;

import io.github.longpollchat.config.Option;
import io.github.longpollchat.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A PKCS12 keystore with a self-signed certificate for {@code localhost} and {@code 127.0.0.1},
 * made once per test JVM with the JDK's {@code keytool} in a temporary folder, the way an operator
 * would make one; and clients that trust it, so that tests check the certificate as a browser would.
 */
public final class TestKeystore {
    public static final String PASSWORD = "test-only-password";
    private static final int KEYTOOL_SECONDS = 60;
    private static Path made;

    private TestKeystore() {
    }

    /** The keystore's file, made on first use. */
    public static synchronized Path path() throws IOException, InterruptedException {
        if (made == null) {
            Path folder = Files.createTempDirectory("chat-tls");
            Path keystore = folder.resolve("chat.p12");
            run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "chat", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", keystore.toString(),
                    "-storepass", PASSWORD, "-keypass", PASSWORD));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Scratch.deleteTree(folder), "delete test keystore"));
            made = keystore;
        }
        return made;
    }

    /** The environment of a jar serving HTTPS with this keystore: its password. */
    public static Map<String, String> environment() {
        return Map.of(Option.TLS_PASSWORD.env(), PASSWORD);
    }

    /** Settings serving HTTPS with this keystore on a free port of 127.0.0.1, over these explicit values. */
    public static Settings settings(Map<Option, String> values) throws IOException, InterruptedException {
        Map<Option, String> all = new EnumMap<>(Option.class);
        all.putAll(values);
        all.put(Option.TLS_KEYSTORE, path().toString());
        all.put(Option.PORT, "0");
        all.put(Option.HOST, "127.0.0.1");
        return Settings.resolve(all, environment()::get);
    }

    /** A client that trusts only this keystore's certificate and prefers this HTTP version. */
    public static HttpClient client(HttpClient.Version version) throws IOException, InterruptedException {
        return HttpClient.newBuilder().version(version).sslContext(trusting()).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static SSLContext trusting() throws IOException, InterruptedException {
        try (InputStream in = Files.newInputStream(path())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the test keystore does not load: " + e, e);
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        keytool.getOutputStream().close();
        if (!keytool.waitFor(KEYTOOL_SECONDS, TimeUnit.SECONDS)) {
            keytool.destroyForcibly();
            throw new IllegalStateException("keytool did not finish within " + KEYTOOL_SECONDS + " s");
        }
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed (" + keytool.exitValue() + "): " + output);
        }
    }
}
