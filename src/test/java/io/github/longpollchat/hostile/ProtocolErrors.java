package io.github.longpollchat.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.longpollchat.testing.ProtocolErrorTable;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A check that an answer is one of the protocol's errors: the status {@link ProtocolErrorTable}
 * gives its code, an {@code application/json} UTF-8 body
 * {@code {"status":false,"error":<code>,"message":<text>}}, no stack trace, no HTML, never a 500.
 *
 * <p>One allowance: a request that HTTP itself cannot read (a request line or header block over
 * the limit, an HTTP version or transfer coding the server does not speak) is refused by the HTTP
 * layer before any servlet sees it, with HTTP's own status for it (414, 431, 426, 501, 505), but
 * still with the protocol's JSON and the code {@code malformed_body}.
 */
final class ProtocolErrors {
    /** Statuses with which the HTTP layer refuses what it cannot parse; see the class comment. */
    static final Set<Integer> HTTP_LAYER_STATUSES = Set.of(400, 414, 426, 431, 501, 505);

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProtocolErrors() {
    }

    /** Whether the content type is JSON in UTF-8, in any spelling. */
    static boolean isJsonUtf8(String contentType) {
        if (contentType == null) {
            return false;
        }
        String lower = contentType.toLowerCase(Locale.ROOT).replace(" ", "");
        return lower.startsWith("application/json") && (lower.contains("charset=utf-8") || lower.contains("charset=\"utf-8\""));
    }

    /**
     * @param allowed the codes this request may earn (null: any code of the table)
     * @param head the request was a HEAD: there is no body to read
     * @return what is wrong with this answer as a protocol error, or null when nothing is
     */
    static String problem(int status, String contentType, byte[] body, boolean head, Set<String> allowed) {
        if (status == 500) {
            return "a 500";
        }
        if (!isJsonUtf8(contentType)) {
            return "content type " + contentType + ", not application/json UTF-8";
        }
        if (head) {
            return ProtocolErrorTable.STATUS.containsValue(status) || HTTP_LAYER_STATUSES.contains(status) ? null : "status " + status;
        }
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        if (text.contains("Exception") || text.contains("\tat ") || text.toLowerCase(Locale.ROOT).contains("<html")) {
            return "a stack trace or HTML in the body";
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            return "a body that is not JSON";
        }
        if (node == null || !node.isObject()) {
            return "a body that is not a JSON object";
        }
        Set<String> keys = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        if (!keys.equals(Set.of("status", "error", "message"))) {
            return "error object with keys " + keys;
        }
        if (!node.get("status").isBoolean() || node.get("status").booleanValue()) {
            return "status is not false";
        }
        if (!node.get("error").isTextual() || !node.get("message").isTextual()) {
            return "error or message is not a string";
        }
        String code = node.get("error").textValue();
        Integer expected = ProtocolErrorTable.STATUS.get(code);
        if (expected == null) {
            return "unknown error code " + code;
        }
        boolean statusFits = expected == status
                || (code.equals("malformed_body") && HTTP_LAYER_STATUSES.contains(status));
        if (!statusFits) {
            return "code " + code + " with status " + status + " (the table says " + expected + ")";
        }
        if (allowed != null && !allowed.contains(code)) {
            return "code " + code + ", expected one of " + new TreeSet<>(allowed);
        }
        return null;
    }
}
