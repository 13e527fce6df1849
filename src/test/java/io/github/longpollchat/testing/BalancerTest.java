package io.github.longpollchat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Balancer} in front of stand-in nodes (each a bare Jetty that answers with its name, what
 * it was asked and the body it got, and on {@code …/die-NAME} drops the connection unanswered).
 */
@Timeout(60)
class BalancerTest {
    private final List<Server> nodes = new ArrayList<>();
    private Balancer balancer;

    @AfterEach
    void stop() throws Exception {
        if (balancer != null) {
            balancer.close();
        }
        for (Server node : nodes) {
            node.stop();
        }
    }

    /** A node answering {@code 201} with {@code X-Node: name} and "name METHOD path?query body". */
    private URI node(String name, String basePath) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (request.getHttpURI().getPath().endsWith("/die-" + name)) {
                    request.getConnectionMetaData().getConnection().getEndPoint().close();
                    callback.failed(new IllegalStateException("dropped on purpose"));
                    return true;
                }
                String body = Content.Source.asString(request);
                response.setStatus(201);
                response.getHeaders().put("X-Node", name);
                response.getHeaders().put("X-Content-Type", String.valueOf(request.getHeaders().get("Content-Type")));
                Content.Sink.write(response, true, name + " " + request.getMethod() + " "
                        + request.getHttpURI().getPathQuery() + " " + body, callback);
                return true;
            }
        });
        server.start();
        nodes.add(server);
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + basePath);
    }

    @Test
    void eachRequestGoesToTheNextNodeUnderItsBasePathAndItsAnswerComesBackUnchanged() throws Exception {
        balancer = Balancer.start(List.of(node("a", "/"), node("b", "/ctx/")));
        ChatClient client = new ChatClient(balancer.base());
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Reply reply = client.postForm("send_msg?x=" + i, "text", "hi " + i);
            assertEquals(201, reply.status(), reply.toString());
            assertEquals(reply.body().substring(0, 1), reply.header("X-Node"));
            answers.add(reply.body());
        }
        assertEquals(List.of("a POST /send_msg?x=0 text=hi+0", "b POST /ctx/send_msg?x=1 text=hi+1",
                "a POST /send_msg?x=2 text=hi+2", "b POST /ctx/send_msg?x=3 text=hi+3"), answers);
        assertEquals(2, balancer.forwarded(0));
        assertEquals(2, balancer.forwarded(1));
    }

    @Test
    void whatJavaNetUriWouldRefuseAndAMissingContentTypeGoOnAsTheyAre() throws Exception {
        balancer = Balancer.start(List.of(node("a", "/")));
        ChatClient client = new ChatClient(balancer.base());
        Reply bad = RawHttp.exchange(balancer.base(), RawHttp.request(balancer.base(), "GET", "get_msg?cursor=%zz", List.of(), null));
        assertEquals("a GET /get_msg?cursor=%zz ", bad.body(), bad.toString());
        Reply untyped = client.post("send_msg", null, "text=hi".getBytes(StandardCharsets.UTF_8));
        assertEquals("null", untyped.header("X-Content-Type"), untyped.toString());
        assertEquals("a POST /send_msg text=hi", untyped.body());
    }

    @Test
    void aNodeThatRefusesConnectionsIsSkippedAndEvenAPostGoesToTheNext() throws Exception {
        balancer = Balancer.start(List.of(node("a", "/"), node("b", "/")));
        nodes.get(0).stop();
        ChatClient client = new ChatClient(balancer.base());
        for (int i = 0; i < 4; i++) {
            Reply reply = client.postForm("send_msg", "text", "hi " + i);
            assertEquals("b POST /send_msg text=hi+" + i, reply.body(), reply.toString());
        }
        // Tried once, then skipped while it is marked down.
        assertEquals(1, balancer.forwarded(0));
    }

    @Test
    void aPostCutAfterItWasSentIs502AndAGetCutSoGoesToTheNextNode() throws Exception {
        URI a = node("a", "/");
        URI b = node("b", "/");
        balancer = Balancer.start(List.of(a, b));
        assertEquals(502, new ChatClient(balancer.base()).postForm("die-a", "text", "once").status(),
                "to a: sent, then cut");
        balancer.close();

        balancer = Balancer.start(List.of(a, b));
        Reply reply = new ChatClient(balancer.base()).get("x/die-a");
        assertEquals(201, reply.status(), reply.toString());
        assertEquals("b GET /x/die-a ", reply.body());
        assertEquals(1, balancer.forwarded(0));
        assertEquals(1, balancer.forwarded(1));
    }
}
