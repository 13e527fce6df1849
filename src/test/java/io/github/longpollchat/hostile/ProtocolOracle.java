package io.github.longpollchat.hostile;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What docs/protocol.md says a request should get, worked out independently of the server's code: the
 * test's own reading of paths, methods, bodies, fields and the rules for each, against a model of
 * the live clients and room members. It classifies rather than assumes: a generated request may
 * well be valid, and then it says whether answering it would change state (a new join, a message,
 * a leave: such requests are not sent, so that the state check stays exact) or not (a resume, a
 * poll of an empty mailbox, the leave of an unknown client, the page: these are sent and must be
 * answered as valid).
 *
 * <p>Where the protocol leaves room for more than one answer, the verdict allows each of them:
 * which {@code invalid_*} wins when several fields are bad; a resume whose ignored {@code name} is
 * invalid; JSON nested deeper than a server may care to parse; paths with encodings or
 * parameters that the HTTP layer may refuse or normalise. The shapes the protocol leaves to the
 * server are this server's documented ones: a client id is 1-128 characters of
 * {@code [A-Za-z0-9_-]} (anything else is {@code invalid_client_id}), and a form or query number is
 * ASCII digits with an optional minus sign.
 */
final class ProtocolOracle {
    /**
     * @param errors the error codes the request may earn
     * @param ok the success statuses it may earn (empty: none)
     * @param stateful a success would change state: do not send it
     */
    record Verdict(Set<String> errors, Set<Integer> ok, boolean stateful, String why) {
        static Verdict error(String... codes) {
            return new Verdict(Set.of(codes), Set.of(), false, String.join("|", codes));
        }

        static Verdict errors(Set<String> codes) {
            return new Verdict(Set.copyOf(codes), Set.of(), false, String.join("|", codes));
        }

        static Verdict ok(int status, String why) {
            return new Verdict(Set.of(), Set.of(status), false, why);
        }

        static Verdict stateful(String why) {
            return new Verdict(Set.of(), Set.of(), true, why);
        }

        Verdict or(Verdict other) {
            Set<String> e = new HashSet<>(errors);
            e.addAll(other.errors);
            Set<Integer> o = new HashSet<>(ok);
            o.addAll(other.ok);
            return new Verdict(Set.copyOf(e), Set.copyOf(o), stateful || other.stateful, why + " or " + other.why);
        }

        Verdict orError(String... codes) {
            return or(error(codes));
        }
    }

    /** Who is live where: client id → room, and room → the name keys of its members. */
    record World(Map<String, String> liveRooms, Map<String, Set<String>> memberKeys) {
    }

    static final Set<String> INVALID_CODES = Set.of("invalid_client_id", "invalid_name", "invalid_room",
            "invalid_text", "invalid_cursor", "invalid_timeout", "invalid_msg_id", "invalid_grace");
    static final int MAX_BODY = 64 * 1024;
    static final int SERVER_NESTING_LIMIT = 64;
    private static final int MAX_TEXT = 2000;
    private static final Set<String> PAGE_PATHS = Set.of("/", "/index.html", "/chat.js", "/transport.js",
            "/chat.css", "/vendor/jquery.min.js");
    private static final Pattern PLAIN_PATH = Pattern.compile("(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+/?|/");
    private static final Pattern TOKEN_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern MSG_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern DIGITS = Pattern.compile("-?[0-9]+");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final World world;

    ProtocolOracle(World world) {
        this.world = world;
    }

    private enum Endpoint { JOIN, SEND, POLL, LEAVE, PAGE }

    /**
     * @param target the request target exactly as sent: path, and {@code ?query} if any
     * @param contentType the Content-Type header, or null when none is sent
     */
    Verdict classify(String method, String target, String contentType, byte[] body) {
        int question = target.indexOf('?');
        String path = question < 0 ? target : target.substring(0, question);
        String query = question < 0 ? null : target.substring(question + 1);
        Verdict verdict;
        Endpoint endpoint = route(path);
        if (endpoint != null) {
            verdict = classify(endpoint, method, query, contentType, body);
        } else if (PLAIN_PATH.matcher(path).matches() && !path.contains("WEB-INF") && !path.contains("META-INF")) {
            verdict = Verdict.error("not_found");
        } else {
            // Encoded characters, parameters, dot segments: the HTTP layer may refuse it, or
            // normalise it onto any endpoint; allow what each of them would answer.
            verdict = Verdict.error("not_found", "malformed_body");
            for (Endpoint any : Endpoint.values()) {
                verdict = verdict.or(classify(any, method, query, contentType, body));
            }
        }
        if (!isCleanTarget(target)) {
            // Bytes that a request target may not hold: the HTTP layer may refuse the request.
            verdict = verdict.orError("malformed_body");
        }
        if (method.equals("CONNECT")) {
            // CONNECT takes host:port, not a path: the HTTP layer refuses it before any servlet.
            verdict = verdict.orError("malformed_body");
        }
        if (contentType != null && contentType.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
            // A control character in a header value: HTTP itself says to refuse the request.
            verdict = verdict.orError("malformed_body");
        }
        return verdict;
    }

    private static Endpoint route(String path) {
        return switch (path) {
            case "/join" -> Endpoint.JOIN;
            case "/send_msg" -> Endpoint.SEND;
            case "/get_msg" -> Endpoint.POLL;
            case "/leave" -> Endpoint.LEAVE;
            default -> PAGE_PATHS.contains(path) ? Endpoint.PAGE : null;
        };
    }

    private Verdict classify(Endpoint endpoint, String method, String query, String contentType, byte[] body) {
        switch (endpoint) {
            case PAGE:
                return method.equals("GET") || method.equals("HEAD")
                        ? Verdict.ok(200, "the page") : Verdict.error("method_not_allowed");
            case POLL:
                return method.equals("GET") ? poll(query) : Verdict.error("method_not_allowed");
            default:
                if (!method.equals("POST")) {
                    return Verdict.error("method_not_allowed");
                }
        }
        if (body.length > MAX_BODY) {
            return Verdict.error("body_too_large");
        }
        Fields fields;
        if (contentType == null) {
            fields = new Fields(Map.of());
        } else {
            String media = mediaType(contentType);
            if (media == null) {
                return Verdict.error("unsupported_media_type");
            }
            if (media.equals("application/x-www-form-urlencoded")) {
                fields = form(body);
            } else if (media.equals("application/json")) {
                if (body.length >= 3 && (body[0] & 0xff) == 0xef && (body[1] & 0xff) == 0xbb && (body[2] & 0xff) == 0xbf) {
                    // RFC 8259: a parser MAY ignore a byte order mark, or refuse the text.
                    byte[] rest = java.util.Arrays.copyOfRange(body, 3, body.length);
                    return classify(endpoint, method, null, contentType, rest).orError("malformed_body");
                }
                fields = json(body);
            } else {
                return Verdict.error("unsupported_media_type");
            }
        }
        if (fields.malformed != null) {
            return fields.malformed;
        }
        Verdict verdict = switch (endpoint) {
            case JOIN -> join(fields);
            case SEND -> send(fields);
            default -> leave(fields);
        };
        return fields.deep ? verdict.orError("malformed_body") : verdict;
    }

    /** The lower-cased media type, or null for a charset other than UTF-8. */
    private static String mediaType(String contentType) {
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].strip();
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).strip().equalsIgnoreCase("charset")) {
                String charset = param.substring(eq + 1).strip();
                if (charset.length() >= 2 && charset.startsWith("\"") && charset.endsWith("\"")) {
                    charset = charset.substring(1, charset.length() - 1);
                }
                if (!charset.equalsIgnoreCase("utf-8")) {
                    return null;
                }
            }
        }
        return parts.length == 0 ? "" : parts[0].strip().toLowerCase(Locale.ROOT);
    }

    // --- bodies ---

    /** Field values: String (form, query) or JsonNode; {@code malformed} set when the body is refused as a whole. */
    private static final class Fields {
        final Map<String, Object> values;
        final Set<String> bad = new HashSet<>();
        Verdict malformed;
        boolean deep;

        Fields(Map<String, Object> values) {
            this.values = values;
        }
    }

    private static Fields form(byte[] body) {
        Map<String, Object> values = new HashMap<>();
        Fields fields = new Fields(values);
        for (byte[][] pair : pairs(body)) {
            String key = decode(pair[0]);
            String value = decode(pair[1]);
            if (key == null || value == null) {
                fields.malformed = Verdict.error("malformed_body");
                return fields;
            }
            if (values.put(key, value) != null) {
                fields.malformed = Verdict.error("malformed_body");
                return fields;
            }
        }
        return fields;
    }

    private static List<byte[][]> pairs(byte[] encoded) {
        List<byte[][]> pairs = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= encoded.length; i++) {
            if (i == encoded.length || encoded[i] == '&') {
                if (i > start) {
                    int eq = start;
                    while (eq < i && encoded[eq] != '=') {
                        eq++;
                    }
                    byte[] key = java.util.Arrays.copyOfRange(encoded, start, eq);
                    byte[] value = eq < i ? java.util.Arrays.copyOfRange(encoded, eq + 1, i) : new byte[0];
                    pairs.add(new byte[][] {key, value});
                }
                start = i + 1;
            }
        }
        return pairs;
    }

    /** {@code +} is a space, {@code %XX} a byte; the result must be UTF-8. Null when it is not decodable. */
    static String decode(byte[] encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < encoded.length; i++) {
            byte b = encoded[i];
            if (b == '+') {
                bytes.write(' ');
            } else if (b == '%') {
                if (i + 2 >= encoded.length) {
                    return null;
                }
                int hi = hex(encoded[i + 1]);
                int lo = hex(encoded[i + 2]);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                bytes.write(b);
            }
        }
        return utf8(bytes.toByteArray());
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    /** Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), or null. */
    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static Fields json(byte[] body) {
        Map<String, Object> values = new HashMap<>();
        Fields fields = new Fields(values);
        if (utf8(body) == null) {
            fields.malformed = Verdict.error("malformed_body");
            return fields;
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (StreamConstraintsException e) {
            // Deeper or longer than any parser need accept: refused as a whole, or as a bad field.
            Set<String> codes = new HashSet<>(INVALID_CODES);
            codes.add("malformed_body");
            fields.malformed = Verdict.errors(codes);
            return fields;
        } catch (IOException e) {
            fields.malformed = Verdict.error("malformed_body");
            return fields;
        }
        if (root == null || !root.isObject()) {
            fields.malformed = Verdict.error("malformed_body");
            return fields;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            values.put(entry.getKey(), entry.getValue());
        }
        fields.deep = depth(root) > SERVER_NESTING_LIMIT;
        return fields;
    }

    private static int depth(JsonNode node) {
        int deepest = 0;
        for (JsonNode child : node) {
            deepest = Math.max(deepest, depth(child));
        }
        return node.isContainerNode() ? deepest + 1 : 0;
    }

    private static Fields query(String query) {
        Map<String, Object> values = new HashMap<>();
        Fields fields = new Fields(values);
        if (query == null) {
            return fields;
        }
        Set<String> known = Set.of("clientId", "cursor", "timeout");
        for (byte[][] pair : pairs(query.getBytes(StandardCharsets.ISO_8859_1))) {
            String key = decode(pair[0]);
            if (key == null) {
                // A parameter whose name does not decode: unknown, so ignored; a server may refuse it.
                fields.malformed = Verdict.error("malformed_body");
                continue;
            }
            if (!known.contains(key)) {
                continue;
            }
            String value = decode(pair[1]);
            if (value == null || values.containsKey(key) || fields.bad.contains(key)) {
                fields.bad.add(key);
                values.remove(key);
            } else {
                values.put(key, value);
            }
        }
        return fields;
    }

    // --- fields ---

    private static boolean given(Fields fields, String key) {
        if (fields.bad.contains(key)) {
            return true;
        }
        Object value = fields.values.get(key);
        if (value == null) {
            return false;
        }
        if (value instanceof JsonNode node) {
            return !node.isNull() && !(node.isTextual() && node.textValue().isEmpty());
        }
        return !((String) value).isEmpty();
    }

    /** The text of a given field, or null when it is not a string (or has a lone surrogate, or was given badly). */
    private static String text(Fields fields, String key) {
        if (fields.bad.contains(key)) {
            return null;
        }
        Object value = fields.values.get(key);
        String text;
        if (value instanceof JsonNode node) {
            if (!node.isTextual()) {
                return null;
            }
            text = node.textValue();
        } else {
            text = (String) value;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return null;
            }
        }
        return text;
    }

    /** A whole number in [min, max]: JSON integers, or ASCII digits in a form or query; else null. */
    private static Long number(Fields fields, String key, long min, long max) {
        if (fields.bad.contains(key)) {
            return null;
        }
        Object value = fields.values.get(key);
        Long number = null;
        if (value instanceof JsonNode node) {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                number = node.longValue();
            }
        } else if (DIGITS.matcher((String) value).matches()) {
            try {
                number = Long.parseLong((String) value);
            } catch (NumberFormatException tooBig) {
                number = null;
            }
        }
        return number == null || number < min || number > max ? null : number;
    }

    /** The clientId field; one that is not a token adds {@code invalid_client_id} to {@code invalid}. */
    private static String clientId(Fields fields, Set<String> invalid) {
        String clientId = text(fields, "clientId");
        if (clientId == null || !TOKEN_ID.matcher(clientId).matches()) {
            invalid.add("invalid_client_id");
        }
        return clientId;
    }

    /** A field that may be absent, but if given must be a whole number from min to max: else {@code code}. */
    private static void optionalNumber(Fields fields, String key, long min, long max, String code, Set<String> invalid) {
        if (given(fields, key) && number(fields, key, min, max) == null) {
            invalid.add(code);
        }
    }

    private static String missing(Fields fields, String... required) {
        for (String key : required) {
            if (!given(fields, key)) {
                return key;
            }
        }
        return null;
    }

    private static boolean validName(String name) {
        String nfc = Normalizer.normalize(name.strip(), Normalizer.Form.NFC);
        int length = nfc.codePointCount(0, nfc.length());
        return length >= 1 && length <= 32 && nfc.codePoints().noneMatch(c ->
                Character.getType(c) == Character.CONTROL || c == 0x2028 || c == 0x2029);
    }

    static String nameKey(String name) {
        return Normalizer.normalize(name.strip(), Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }

    private static boolean validText(String raw) {
        String text = raw.strip().replace("\r\n", "\n").replace('\r', '\n');
        int length = text.codePointCount(0, text.length());
        return length >= 1 && length <= MAX_TEXT && text.codePoints().noneMatch(c ->
                Character.getType(c) == Character.CONTROL && c != '\n' && c != '\t');
    }

    private Verdict join(Fields fields) {
        if (missing(fields, "name") != null) {
            return Verdict.error("missing_field");
        }
        Set<String> invalid = new LinkedHashSet<>();
        String name = text(fields, "name");
        if (name == null || !validName(name)) {
            invalid.add("invalid_name");
        }
        String room = "lobby";
        if (given(fields, "room")) {
            room = text(fields, "room");
            if (room == null || !ROOM.matcher(room).matches()) {
                invalid.add("invalid_room");
            }
        }
        String clientId = given(fields, "clientId") ? clientId(fields, invalid) : null;
        boolean resumes = clientId != null && room != null && room.equals(world.liveRooms().get(clientId));
        if (!invalid.isEmpty()) {
            Verdict refused = Verdict.errors(invalid);
            // The name of a resume is ignored: refusing it as invalid and resuming are both fair.
            return resumes && invalid.equals(Set.of("invalid_name")) ? refused.or(Verdict.ok(200, "resume")) : refused;
        }
        if (resumes) {
            return Verdict.ok(200, "resume");
        }
        if (world.memberKeys().getOrDefault(room, Set.of()).contains(nameKey(name))) {
            return Verdict.error("name_taken");
        }
        return Verdict.stateful("a new join of " + name + " in " + room);
    }

    private Verdict send(Fields fields) {
        if (missing(fields, "clientId", "text") != null) {
            return Verdict.error("missing_field");
        }
        Set<String> invalid = new LinkedHashSet<>();
        String clientId = clientId(fields, invalid);
        String text = text(fields, "text");
        if (text == null || !validText(text)) {
            invalid.add("invalid_text");
        }
        if (given(fields, "msgId")) {
            String msgId = text(fields, "msgId");
            if (msgId == null || !MSG_ID.matcher(msgId).matches()) {
                invalid.add("invalid_msg_id");
            }
        }
        if (!invalid.isEmpty()) {
            return Verdict.errors(invalid);
        }
        if (!world.liveRooms().containsKey(clientId)) {
            return Verdict.error("unknown_client");
        }
        return Verdict.stateful("a message from a live client");
    }

    private Verdict poll(String query) {
        Fields fields = query(query);
        Verdict extra = fields.malformed;
        Verdict verdict = pollVerdict(fields);
        return extra == null ? verdict : verdict.or(extra);
    }

    private Verdict pollVerdict(Fields fields) {
        if (missing(fields, "clientId") != null) {
            return Verdict.error("missing_field");
        }
        Set<String> invalid = new LinkedHashSet<>();
        String clientId = clientId(fields, invalid);
        optionalNumber(fields, "cursor", 0, Long.MAX_VALUE, "invalid_cursor", invalid);
        optionalNumber(fields, "timeout", 0, 60, "invalid_timeout", invalid);
        if (!invalid.isEmpty()) {
            return Verdict.errors(invalid);
        }
        if (!world.liveRooms().containsKey(clientId)) {
            return Verdict.error("unknown_client");
        }
        return Verdict.ok(200, "a poll of a live client's empty mailbox");
    }

    private Verdict leave(Fields fields) {
        if (missing(fields, "clientId") != null) {
            return Verdict.error("missing_field");
        }
        Set<String> invalid = new LinkedHashSet<>();
        String clientId = clientId(fields, invalid);
        optionalNumber(fields, "grace", 0, 10, "invalid_grace", invalid);
        if (!invalid.isEmpty()) {
            return Verdict.errors(invalid);
        }
        if (world.liveRooms().containsKey(clientId)) {
            return Verdict.stateful("the leave of a live client");
        }
        return Verdict.ok(204, "the leave of an unknown client");
    }

    /** Only the characters RFC 3986 allows in a path and query, and well-formed escapes. */
    static boolean isCleanTarget(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:@/?".indexOf(c) >= 0;
            if (c == '%') {
                if (i + 2 >= target.length() || hex((byte) target.charAt(i + 1)) < 0 || hex((byte) target.charAt(i + 2)) < 0) {
                    return false;
                }
            } else if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
