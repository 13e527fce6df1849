package io.github.longpollchat.launcher;

import io.github.longpollchat.http.ChatApp;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Two idle timeouts on one connector: a short one for connections that send other requests or
 * sit idle, so that slow or silent clients (slowloris) cannot hold connections for long, and a
 * long one, longer than the longest poll, from the moment a {@code /get_msg} arrives, so that no
 * parked poll is ever cut. A connection keeps the timeout of the last request it carried: after
 * a poll is answered it keeps the long one until its next request (a browser's next poll follows
 * at once), and the next other request sets the short one again.
 *
 * <p>Why not go back to the short one as each poll ends: that cancelled and rescheduled the
 * connection's timeout on Jetty's one shared scheduler for every poll answered (a cost measured
 * under fan-out: see docs/performance.md), and a poll answered during a graceful stop undid the connector's
 * shutdown timeout, so that stopping waited for the short timeout. A client able to poll can
 * hold a connection for as long anyway, by parking one.
 *
 * <p>Over HTTP/2 one connection carries a tab's parked poll beside another tab's send, which sets
 * the short timeout; that cannot cut the poll, since Jetty ends neither a stream nor its connection
 * on an idle timeout while a request on it waits without reading or writing ({@code IdleTimeoutTest}).
 * A connection with no request on it still closes.
 */
final class IdleTimeoutHandler extends Handler.Wrapper {
    private final long requestMillis;
    private final long pollMillis;

    IdleTimeoutHandler(Handler handler, long requestMillis, long pollMillis) {
        super(handler);
        this.requestMillis = requestMillis;
        this.pollMillis = pollMillis;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long wanted = ChatApp.POLL_PATH.equals(Request.getPathInContext(request)) ? pollMillis : requestMillis;
        if (endPoint.getIdleTimeout() != wanted && !stopping(request)) {
            endPoint.setIdleTimeout(wanted);
        }
        return super.handle(request, response, callback);
    }

    /** While stopping, the connector has set its own short timeout on every connection: leave it. */
    private static boolean stopping(Request request) {
        return request.getConnectionMetaData().getConnector() instanceof AbstractConnector connector
                && connector.isShutdown();
    }
}
