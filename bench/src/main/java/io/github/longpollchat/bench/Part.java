package io.github.longpollchat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One process's share of the tabs, as the coordinator sees it: the coordinator's own
 * {@link Swarm}, or a worker process spoken to in JSON lines over its stdin and stdout.
 */
interface Part extends AutoCloseable {
    JsonNode call(ObjectNode command);

    long pid();

    @Override
    void close();

    /** The coordinator's own share. */
    final class Local implements Part {
        private final Swarm swarm;

        Local(Swarm swarm) {
            this.swarm = swarm;
        }

        @Override
        public JsonNode call(ObjectNode command) {
            return swarm.handle(command);
        }

        @Override
        public long pid() {
            return ProcessHandle.current().pid();
        }

        @Override
        public void close() {
            swarm.close();
        }
    }

    /** A worker JVM ({@link Worker}) started on the same classpath; its stderr goes to ours. */
    final class Remote implements Part {
        private final Process process;
        private final OutputStream in;
        private final BufferedReader out;

        Remote(BenchOptions options, int part, int parts) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            try {
                process = new ProcessBuilder(List.of(java, "-Xmx" + options.workerHeapMb + "m", "-XX:+UseParallelGC",
                        "-cp", System.getProperty("java.class.path"), Worker.class.getName()))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start a worker process", e);
            }
            in = process.getOutputStream();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            ObjectNode init = Swarm.JSON.createObjectNode().put("cmd", "init").put("part", part).put("parts", parts);
            init.set("options", Swarm.JSON.valueToTree(options));
            call(init);
        }

        @Override
        public synchronized JsonNode call(ObjectNode command) {
            try {
                in.write((Swarm.JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
                String line = out.readLine();
                if (line == null) {
                    throw new IllegalStateException("worker " + process.pid() + " ended");
                }
                JsonNode reply = Swarm.JSON.readTree(line);
                if (reply.has("failure")) {
                    throw new IllegalStateException("worker " + process.pid() + ": " + reply.get("failure").asText());
                }
                return reply;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public void close() {
            try {
                in.close();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroy();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (IOException ignored) {
                process.destroy();
            } catch (InterruptedException e) {
                process.destroy();
                Thread.currentThread().interrupt();
            }
        }
    }
}
