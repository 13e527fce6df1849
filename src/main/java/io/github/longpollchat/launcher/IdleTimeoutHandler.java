package io.github.longpollchat.launcher;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Two idle timeouts on one connector: a short one while a connection sends a request or sits
 * idle, so that slow or silent clients (slowloris) cannot hold connections for long, and a long
 * one, longer than the longest poll, while a {@code /get_msg} is parked on it, so that no parked
 * poll is ever cut. The connection returns to the short one when the poll is answered.
 */
final class IdleTimeoutHandler extends Handler.Wrapper {
    private static final String POLL_PATH = "/get_msg";

    private final long requestMillis;
    private final long pollMillis;

    IdleTimeoutHandler(Handler handler, long requestMillis, long pollMillis) {
        super(handler);
        this.requestMillis = requestMillis;
        this.pollMillis = pollMillis;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (POLL_PATH.equals(Request.getPathInContext(request))) {
            EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
            endPoint.setIdleTimeout(pollMillis);
            callback = Callback.from(callback, () -> endPoint.setIdleTimeout(requestMillis));
        }
        return super.handle(request, response, callback);
    }
}
