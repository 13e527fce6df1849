package io.github.longpollchat.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What this JVM writes to {@code System.err} from now until {@link #close()}, still shown as
 * usual: the embedded server's log (slf4j-simple writes to whatever {@code System.err} is when it
 * logs), for tests that check what was logged.
 */
public final class StderrCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    public StderrCapture() {
        System.setErr(new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8));
    }

    /** Everything captured so far. */
    public String text() {
        System.err.flush();
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        System.err.flush();
        System.setErr(original);
    }

    /** Writes to both streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final ByteArrayOutputStream second;

        Tee(OutputStream first, ByteArrayOutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            try {
                first.write(b, off, len);
            } catch (IOException ignored) {
                // the original stream's trouble is not ours
            }
            synchronized (second) {
                second.write(b, off, len);
            }
        }
    }
}
