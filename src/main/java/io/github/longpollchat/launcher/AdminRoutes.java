package io.github.longpollchat.launcher;

import io.github.longpollchat.http.ChatApp;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Keeps the operator's endpoints ({@link ChatApp#ADMIN_PATHS}) and the chat apart: the admin
 * connector serves only those, the chat's connector everything else. The other side's paths get
 * {@code 404 not_found}, as any unknown path, so a chat user cannot tell that they exist. Without
 * an admin connector the operator's endpoints are not served at all.
 */
final class AdminRoutes extends Handler.Wrapper {
    /** The admin port's connector, or null when there is none. */
    private final Connector admin;

    AdminRoutes(Handler handler, Connector admin) {
        super(handler);
        this.admin = admin;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        boolean adminPath = ChatApp.ADMIN_PATHS.contains(Request.getPathInContext(request));
        boolean adminConnector = admin != null && request.getConnectionMetaData().getConnector() == admin;
        if (adminPath != adminConnector) {
            Response.writeError(request, response, callback, 404);
            return true;
        }
        return super.handle(request, response, callback);
    }
}
