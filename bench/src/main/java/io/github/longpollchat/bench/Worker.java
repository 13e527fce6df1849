package io.github.longpollchat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A worker process of the load generator: holds a share of the tabs and answers the
 * coordinator's commands, one JSON line in, one JSON line out. Ends when its stdin closes.
 */
public final class Worker {
    private Worker() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream replies = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        Swarm swarm = null;
        String line;
        while ((line = commands.readLine()) != null) {
            JsonNode command = Swarm.JSON.readTree(line);
            try {
                if (command.get("cmd").asText().equals("init")) {
                    BenchOptions options = Swarm.JSON.treeToValue(command.get("options"), BenchOptions.class);
                    swarm = Swarm.create(options, command.get("part").asInt(), command.get("parts").asInt());
                    replies.println("{\"ok\":true}");
                } else {
                    replies.println(Swarm.JSON.writeValueAsString(swarm.handle(command)));
                }
            } catch (RuntimeException e) {
                e.printStackTrace();
                replies.println(Swarm.JSON.writeValueAsString(
                        Swarm.JSON.createObjectNode().put("failure", String.valueOf(e))));
            }
        }
        if (swarm != null) {
            swarm.close();
        }
    }
}
