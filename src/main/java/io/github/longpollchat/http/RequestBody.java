package io.github.longpollchat.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Parses a POST body into {@link Fields}: form or JSON, UTF-8 only; fields come from the body
 * alone (a query string is ignored). Checks run in the protocol's order: 413 (by
 * {@link BodyReader}, before this), then 415, then {@code malformed_body}.
 */
final class RequestBody {
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

    /** The fields of a body that {@link BodyReader} has read (and so is within the size limit). */
    static Fields parse(HttpServletRequest request, byte[] body) {
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
        throw ErrorCode.UNSUPPORTED_MEDIA_TYPE.refusal();
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
                    throw ErrorCode.UNSUPPORTED_MEDIA_TYPE.refusal("Only UTF-8 is accepted.");
                }
            }
        }
        return parts[0].strip().toLowerCase(Locale.ROOT);
    }

    private static Fields form(byte[] body) {
        Map<String, Object> values = new HashMap<>();
        for (FormEncoding.Pair pair : FormEncoding.parse(body)) {
            if (pair.key() == null || pair.value() == null) {
                throw ErrorCode.MALFORMED_BODY.refusal("The form has bad percent-encoding or invalid UTF-8.");
            }
            if (values.put(pair.key(), pair.value()) != null) {
                throw ErrorCode.MALFORMED_BODY.refusal("The field '" + pair.key() + "' is given twice.");
            }
        }
        return new Fields(values);
    }

    private static Fields json(byte[] body) {
        // Decoded by us, strictly: Jackson's own decoding accepts overlong UTF-8 and guesses UTF-16.
        String text = FormEncoding.strictUtf8(body);
        if (text == null) {
            throw ErrorCode.MALFORMED_BODY.refusal("The body is not valid UTF-8.");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (IOException e) {
            throw ErrorCode.MALFORMED_BODY.refusal("The body is not valid JSON (or has a key twice).");
        }
        if (root == null || !root.isObject()) {
            throw ErrorCode.MALFORMED_BODY.refusal("The body must be a JSON object.");
        }
        Map<String, Object> values = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            values.put(entry.getKey(), entry.getValue());
        }
        return new Fields(values);
    }
}
