package io.github.longpollchat.launcher;

import io.github.longpollchat.hub.Tokens;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.RequestLogWriter;
import org.eclipse.jetty.server.Response;

/**
 * The jar's access log: one line per request in the NCSA combined format, followed by the time
 * taken in milliseconds (a parked poll's wait shows there). Polls carry the client's secret id in
 * their query string, and the id is a password: it is logged only as its redacted prefix
 * ({@link Tokens#redact}), as in every other log line. Header values are quoted with quotes and
 * control characters escaped, so a request cannot forge a line.
 */
final class AccessLog implements RequestLog {
    private static final String CLIENT_ID_NAME = "clientId";
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneId.systemDefault());

    private final RequestLog.Writer writer;

    private AccessLog(RequestLog.Writer writer) {
        this.writer = writer;
    }

    /** @param target {@code -} for standard output, else a file appended to (Jetty's {@code yyyy_mm_dd} in its name rolls it daily) */
    static AccessLog to(String target) {
        if (target.equals("-")) {
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            return new AccessLog(out::println);
        }
        RequestLogWriter file = new RequestLogWriter(target);
        file.setAppend(true);
        return new AccessLog(file);
    }

    /** The writer, for the server to start and stop with it when it has a life cycle (a file). */
    RequestLog.Writer writer() {
        return writer;
    }

    @Override
    public void log(Request request, Response response) {
        long started = Request.getTimeStamp(request);
        String query = request.getHttpURI().getQuery();
        StringBuilder line = new StringBuilder(160)
                .append(Request.getRemoteAddr(request)).append(" - - [")
                .append(TIME.format(Instant.ofEpochMilli(started))).append("] \"")
                .append(request.getMethod()).append(' ');
        escaped(request.getHttpURI().getPath() + (query == null ? "" : "?" + redacted(query)), line);
        line.append(' ').append(request.getConnectionMetaData().getProtocol()).append("\" ")
                .append(response.getStatus()).append(' ').append(Response.getContentBytesWritten(response)).append(" \"");
        escaped(request.getHeaders().get(HttpHeader.REFERER), line);
        line.append("\" \"");
        escaped(request.getHeaders().get(HttpHeader.USER_AGENT), line);
        line.append("\" ").append(System.currentTimeMillis() - started);
        try {
            writer.write(line.toString());
        } catch (IOException e) {
            // A full disk must not fail the request it logs.
            System.err.println("access log not written: " + e);
        }
    }

    /** The query with the value of each {@code clientId} parameter cut to its redacted prefix. */
    static String redacted(String query) {
        StringBuilder out = new StringBuilder(query.length());
        for (String parameter : query.split("&", -1)) {
            if (out.length() > 0) {
                out.append('&');
            }
            int equals = parameter.indexOf('=');
            // By the decoded name, as the server reads it: client%49d= is a clientId too.
            out.append(equals >= 0 && decoded(parameter.substring(0, equals)).equals(CLIENT_ID_NAME)
                    ? parameter.substring(0, equals + 1) + Tokens.redact(parameter.substring(equals + 1)) : parameter);
        }
        return out.toString();
    }

    private static String decoded(String name) {
        try {
            return URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return name;
        }
    }

    /** A value for a quoted field: {@code -} when absent; quotes, backslashes and control characters escaped. */
    private static void escaped(String value, StringBuilder line) {
        if (value == null) {
            line.append('-');
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                line.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                line.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                line.append(c);
            }
        }
    }
}
