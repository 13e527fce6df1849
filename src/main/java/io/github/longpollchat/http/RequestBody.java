package io.github.longpollchat.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.longpollchat.hub.ChatError;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads a POST body into {@link Fields}: at most 64 KiB, form or JSON, UTF-8 only; fields come
 * from the body alone (a query string is ignored). Checks run in the protocol's order: 413, then
 * 415, then {@code malformed_body}.
 */
final class RequestBody {
    static final int MAX_BYTES = 64 * 1024;
    /**
     * How much of a body over the limit is read and thrown away before the 413 goes out, as
     * Tomcat's {@code maxSwallowSize} does by default: a client still sending its body when the
     * server closes gets a reset, and may lose the 413 with it. Bigger bodies are not waited for.
     */
    static final int MAX_SWALLOWED = 2 * 1024 * 1024;
    /** The longest a body may take to arrive, from the moment the servlet starts reading it. */
    static final int READ_SECONDS = 10;
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String JSON = "application/json";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        // 64 KiB of '[' is too deep to be anyone's chat message; refuse it before it costs stack.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private RequestBody() {
    }

    static Fields read(HttpServletRequest request) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READ_SECONDS);
        long declared = request.getContentLengthLong();
        if (declared > MAX_BYTES) {
            // A client that asked "Expect: 100-continue" has not sent its body: reading it would
            // tell the client to go ahead, and the 413 is what spares it the upload.
            if (declared <= MAX_SWALLOWED && !expectsContinue(request)) {
                swallow(request.getInputStream(), deadline);
            }
            throw ChatError.BODY_TOO_LARGE.refusal();
        }
        byte[] body = readAtMost(request.getInputStream(), deadline);
        // The raw header: a container's parsed view may throw on a malformed charset.
        String contentType = request.getHeader("Content-Type");
        if (contentType == null) {
            return Fields.none();
        }
        String mediaType = mediaType(contentType);
        if (mediaType.equals(FORM)) {
            return form(body);
        }
        if (mediaType.equals(JSON)) {
            return json(body);
        }
        throw ChatError.UNSUPPORTED_MEDIA_TYPE.refusal();
    }

    /**
     * Reads the body on this (blocking) thread, bounded in size and in time. A body that ends
     * before its {@code Content-Length} (the client closed, or went silent until the connection's
     * idle timeout), that the container cannot read, or that is still arriving after
     * {@link #READ_SECONDS} (trickled a byte at a time, each byte resetting the idle timeout) is a
     * bad request, not a server failure; the limit keeps a trickler from holding a thread for long.
     */
    private static byte[] readAtMost(InputStream in, long deadline) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        while (true) {
            int n;
            try {
                n = in.read(chunk);
            } catch (IOException | RuntimeException e) {
                throw ChatError.MALFORMED_BODY.refusal("The body ended early or could not be read.");
            }
            if (n < 0) {
                return body.toByteArray();
            }
            body.write(chunk, 0, n);
            if (body.size() > MAX_BYTES) {
                swallow(in, deadline);
                throw ChatError.BODY_TOO_LARGE.refusal();
            }
            if (System.nanoTime() - deadline > 0) {
                throw ChatError.MALFORMED_BODY.refusal("The body arrived too slowly.");
            }
        }
    }

    private static boolean expectsContinue(HttpServletRequest request) {
        String expect = request.getHeader("Expect");
        return expect != null && expect.toLowerCase(Locale.ROOT).contains("100-continue");
    }

    /**
     * Reads and drops the rest of a body that is over the limit, up to {@link #MAX_SWALLOWED} in
     * all and until the read deadline; whatever goes wrong here, the answer is the 413 anyway.
     */
    private static void swallow(InputStream in, long deadline) {
        byte[] chunk = new byte[8192];
        long swallowed = 0;
        try {
            int n;
            while (swallowed <= MAX_SWALLOWED && System.nanoTime() - deadline < 0 && (n = in.read(chunk)) >= 0) {
                swallowed += n;
            }
        } catch (IOException | RuntimeException e) {
            // The client went away or the container gave up: nothing more to drain.
        }
    }

    /** The lower-cased type/subtype; 415 for a charset other than UTF-8. */
    private static String mediaType(String contentType) {
        String[] parts = contentType.split(";", -1);
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].strip();
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).strip().equalsIgnoreCase("charset")) {
                String charset = param.substring(eq + 1).strip().replace("\"", "");
                if (!charset.equalsIgnoreCase("utf-8")) {
                    throw ChatError.UNSUPPORTED_MEDIA_TYPE.refusal("Only UTF-8 is accepted.");
                }
            }
        }
        return parts[0].strip().toLowerCase(Locale.ROOT);
    }

    private static Fields form(byte[] body) {
        Map<String, Object> values = new HashMap<>();
        for (FormEncoding.Pair pair : FormEncoding.parse(body)) {
            if (pair.key() == null || pair.value() == null) {
                throw ChatError.MALFORMED_BODY.refusal("The form has bad percent-encoding or invalid UTF-8.");
            }
            if (values.put(pair.key(), pair.value()) != null) {
                throw ChatError.MALFORMED_BODY.refusal("The field '" + pair.key() + "' is given twice.");
            }
        }
        return new Fields(values);
    }

    private static Fields json(byte[] body) {
        // Decoded by us, strictly: Jackson's own decoding accepts overlong UTF-8 and guesses UTF-16.
        String text = FormEncoding.strictUtf8(body);
        if (text == null) {
            throw ChatError.MALFORMED_BODY.refusal("The body is not valid UTF-8.");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (IOException e) {
            throw ChatError.MALFORMED_BODY.refusal("The body is not valid JSON (or has a key twice).");
        }
        if (root == null || !root.isObject()) {
            throw ChatError.MALFORMED_BODY.refusal("The body must be a JSON object.");
        }
        Map<String, Object> values = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            values.put(entry.getKey(), entry.getValue());
        }
        return new Fields(values);
    }
}
