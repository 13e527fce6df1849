package io.github.longpollchat.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Collections;

/**
 * The TLS pair of settings checked together at start-up: the keystore opens as PKCS12 with the
 * password and holds a key with its certificate, so that a bad one stops start-up with one line
 * instead of a TLS failure at the first visitor. The password is never part of a message.
 */
public final class TlsKeystore {
    /** The keystore's format, for the server that opens it. */
    public static final String TYPE = "PKCS12";

    private TlsKeystore() {
    }

    /**
     * @param keystoreSource where the keystore's path came from ("--tls-keystore", "CHAT_TLS_KEYSTORE"…)
     * @throws SettingsException naming the setting at fault
     */
    static void check(String keystore, String password, String keystoreSource) {
        String passwordName = Option.TLS_PASSWORD.env();
        if (keystore.isEmpty()) {
            if (!password.isEmpty()) {
                throw new SettingsException(passwordName + ": set, but there is no " + Option.TLS_KEYSTORE.env()
                        + " or --" + Option.TLS_KEYSTORE.flag() + " to open with it");
            }
            return;
        }
        if (password.isEmpty()) {
            throw new SettingsException(passwordName + ": needed to open " + keystoreSource + " " + keystore);
        }
        KeyStore store;
        try (InputStream in = Files.newInputStream(Path.of(keystore))) {
            store = KeyStore.getInstance(TYPE);
            store.load(in, password.toCharArray());
        } catch (NoSuchFileException e) {
            throw new SettingsException(keystoreSource + ": " + keystore + ": no such file");
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new SettingsException(passwordName + ": not the password of " + keystoreSource + " " + keystore);
            }
            throw unreadable(keystore, keystoreSource, e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw unreadable(keystore, keystoreSource, e);
        }
        if (!hasKey(store)) {
            throw new SettingsException(keystoreSource + ": " + keystore + ": holds no private key with its certificate");
        }
    }

    private static SettingsException unreadable(String keystore, String keystoreSource, Exception e) {
        return new SettingsException(keystoreSource + ": " + keystore + ": not a " + TYPE + " keystore that can be read ("
                + e.getClass().getSimpleName() + ")");
    }

    private static boolean hasKey(KeyStore store) {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getCertificate(alias) != null) {
                    return true;
                }
            }
            return false;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
