package io.github.longpollchat.hostile;

import io.github.longpollchat.hostile.ProtocolOracle.Verdict;
import io.github.longpollchat.testing.ProtocolErrorTable;
import io.github.longpollchat.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Makes hostile requests, each from its own {@code Random(seed, index)}, so that any one of them
 * can be made again from the seed and its index alone. Most are protocol requests whose fields,
 * encodings, content types, methods, paths and sizes are drawn from pools of bad (and some good)
 * values, then possibly mangled at the byte level; the {@link ProtocolOracle} decides what each
 * deserves. The rest are malformed at the HTTP level and go out over a bare socket, with a
 * verdict of their own: a request whose framing is broken carries the leave of a live client
 * (so that a server that read it anyway would visibly lose that client), one whose framing is
 * merely unusual carries only harmless content.
 */
final class HostileGenerator {
    /**
     * One request. {@code raw} is set for HTTP-level attacks (then {@code preset} is their verdict);
     * otherwise the request is method, target, content type, extra headers and body, and is sent
     * over a bare socket when {@code socket} is set (or when HttpClient cannot express it).
     */
    record Attack(int index, String kind, String method, String target, String contentType,
                  List<Map.Entry<String, String>> headers, byte[] body, boolean socket, boolean chunked,
                  byte[] raw, boolean halfClose, boolean mayGoUnanswered, Verdict preset) {
        boolean httpLevel() {
            return raw != null;
        }

        String describe() {
            if (raw != null) {
                return "#" + index + " " + kind + ": " + show(raw, 240);
            }
            return "#" + index + " " + kind + ": " + method + " " + show(target.getBytes(StandardCharsets.ISO_8859_1), 160)
                    + (contentType == null ? " (no content type)" : " [" + contentType + "]")
                    + (headers.isEmpty() ? "" : " +" + headers.size() + " headers")
                    + (chunked ? " chunked" : "") + (socket ? " via socket" : "")
                    + " body(" + body.length + ")=" + show(body, 200);
        }
    }

    /** A field value: text (encoded as a form value or a JSON string), a raw JSON token, or raw form bytes. */
    private record V(String text, String json, String form) {
        static V t(String text) {
            return new V(text, null, null);
        }

        static V j(String json) {
            return new V(null, json, null);
        }

        static V f(String form) {
            return new V(null, null, form);
        }

        static V n(String number) {
            return new V(number, number, null);
        }
    }

    private record F(String key, V value) {
    }

    static final String ROOM = "hostile";
    static final String OTHER_ROOM = "other";

    private final long seed;
    private final String a;
    private final String b;
    private final String o;
    private final String c;
    private final String unknown;

    private final List<V> names = new ArrayList<>();
    private final List<V> takenNames = new ArrayList<>();
    private final List<V> rooms = new ArrayList<>();
    private final List<V> ids = new ArrayList<>();
    private final List<V> texts = new ArrayList<>();
    private final List<V> msgIds = new ArrayList<>();
    private final List<V> numbers = new ArrayList<>();
    private final List<V> wrongTypes = new ArrayList<>();

    /**
     * @param a alice's, b bob's and o the observer's client ids (room {@value #ROOM}), c carol's (room {@value #OTHER_ROOM})
     */
    HostileGenerator(long seed, String a, String b, String o, String c) {
        this.seed = seed;
        this.a = a;
        this.b = b;
        this.o = o;
        this.c = c;
        this.unknown = "Zz" + a.substring(2);
        fillPools();
    }

    private void fillPools() {
        for (String name : List.of("alice", "ALICE", " Alice ", "alice\t", "\r\nalice", "bob", "BoB", "Zoë",
                "ZOË", "zoe\u0308", "ZOE\u0308", "carol")) {
            takenNames.add(V.t(name));
        }
        for (String name : List.of("", " ", "\t", "\u3000", "a\u0000b", "a\u0007", "\u007f", "x\u0085", "a\u2028b",
                "b\u2029", "a".repeat(33), "😀".repeat(33), "\n", "alice\u0000", "mallory", "<script>alert(1)</script>",
                "\u202Eecila", "😀", "a".repeat(32), "alice\u00a0", "e\u0301\u0301\u0301", "null", "undefined")) {
            names.add(V.t(name));
        }
        for (String room : List.of("hostile", "hostile", "hostile", "other", "HOSTILE", "lobby", "a".repeat(32),
                "a".repeat(33), "room name", "röom", "../hostile", "hostile\u0000", "", "%", "hostile/", "host ile")) {
            rooms.add(V.t(room));
        }
        rooms.add(V.f("hostile%00"));
        rooms.add(V.f("hos%74ile"));
        rooms.add(V.j("0"));
        for (String id : List.of(a, a, b, o, c, a.substring(0, a.length() - 1), a + "x", a.toUpperCase(Locale.ROOT),
                " " + a, a + " ", a + "\u0000", a + "\n", "a".repeat(128), "a".repeat(129), "", "null",
                "+" + a.substring(1), a + "=", unknown, "é" + a)) {
            ids.add(V.t(id));
        }
        ids.add(V.f(a + "%00"));
        ids.add(V.f(a + "&clientId=" + b));
        ids.add(V.f("%" + HexFormat.of().toHexDigits((byte) a.charAt(0)) + a.substring(1)));
        ids.add(V.f(a.substring(0, 4) + "%zz" + a.substring(4)));
        ids.add(V.j("1"));
        ids.add(V.j("true"));
        ids.add(V.j("[\"" + a + "\"]"));
        ids.add(V.j("{\"id\":\"" + a + "\"}"));
        for (String text : List.of("hello", "", " ", "\r\n", "\t", "a\u0000b", "a\u0001", "ansi\u001b[31m",
                "tab\tok", "line\nok", "cr\rok", "a".repeat(2000), "a".repeat(2001), "😀".repeat(2000),
                "😀".repeat(2001), "<img src=x onerror=alert(1)>", "x\u0085", "\u2028", "\u00a0", "\u200b")) {
            texts.add(V.t(text));
        }
        texts.add(V.j("\"\\ud83d\""));
        texts.add(V.j("\"ok\\udc00\""));
        texts.add(V.f("%E2%82"));
        texts.add(V.f("%C0%AF"));
        texts.add(V.f("%ED%A0%80"));
        texts.add(V.f("%F4%90%80%80"));
        texts.add(V.f("%FF"));
        texts.add(V.f("%"));
        texts.add(V.f("%4"));
        texts.add(V.f("%zz"));
        texts.add(V.f("hi%00"));
        for (String key : List.of("k1", "k2", "k3", "", "a".repeat(64), "a".repeat(65), "k 1", "k/1", "ключ", "k1\u0000")) {
            msgIds.add(V.t(key));
        }
        msgIds.add(V.j("1"));
        msgIds.add(V.j("true"));
        for (String number : List.of("0", "1", "5", "10", "11", "30", "60", "61", "-1", "-0", "9223372036854775807",
                "9223372036854775808", "-9223372036854775809", "99999999999999999999999")) {
            numbers.add(V.n(number));
        }
        for (String text : List.of("+1", " 1", "1 ", "1.0", "1e1", "0x1", "00000000000000000005", "", "abc", "\u0663", "1_0")) {
            numbers.add(V.t(text));
        }
        numbers.add(V.f("1%00"));
        numbers.add(V.f("%31"));
        numbers.add(V.f("%2B1"));
        for (String json : List.of("1.5", "1e2", "true", "null", "[]", "{}", "\"5\"", "[5]", "1E400", "-0.0")) {
            numbers.add(V.j(json));
        }
        for (String json : List.of("42", "true", "false", "null", "[]", "{}", "[\"alice\"]", "{\"$ne\":null}",
                "\"\\ud800\"", "\"\\udc00x\"", "1e400", "\"\\u0000\"", "-1", "0.5")) {
            wrongTypes.add(V.j(json));
        }
    }

    Attack attack(int index) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L);
        int k = r.nextInt(100);
        if (k < 55) {
            return fieldAttack(index, r);
        } else if (k < 62) {
            return contentTypeAttack(index, r);
        } else if (k < 67) {
            return methodAttack(index, r);
        } else if (k < 71) {
            return pathAttack(index, r);
        } else if (k < 80) {
            return sizeAttack(index, r);
        } else if (k < 83) {
            return randomBytesAttack(index, r);
        } else if (k < 85) {
            return invalidUtf8Attack(index, r);
        }
        return httpLevelAttack(index, r);
    }

    // --- protocol-level attacks ---

    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String JSON = "application/json";
    private static final List<String> CONTENT_TYPES = List.of(FORM, FORM + "; charset=UTF-8",
            "Application/X-WWW-Form-Urlencoded;charset=utf-8", FORM + ";charset=\"utf-8\"", FORM + "; foo=bar",
            JSON, JSON + "; charset=utf-8", "APPLICATION/JSON;CHARSET=UTF-8", JSON + ";charset", JSON + " ; charset = utf-8",
            JSON + "; charset=iso-8859-1", FORM + "; charset=utf-16", JSON + "; charset=utf-8; charset=latin1",
            JSON + "; charset=", "text/plain", "text/plain; charset=utf-8", "multipart/form-data; boundary=xyz",
            "application/xml", "application/jsonx", "application/json-patch+json", "*/*", "application/*", ";", ";;",
            " ", FORM + ", " + JSON, "json", JSON + "\u0000", JSON + "\u00ff", "application/\u00e9json",
            "text/html", "application/x-www-form-urlencoded;charset=us-ascii");

    private enum Endpoint { JOIN, SEND, POLL, LEAVE }

    private Attack fieldAttack(int index, Random r) {
        Endpoint endpoint = Endpoint.values()[r.nextInt(4)];
        boolean json = endpoint != Endpoint.POLL && r.nextInt(100) < 45;
        List<F> fields = fields(endpoint, r, json);
        StringBuilder kind = new StringBuilder("fields " + endpoint.name().toLowerCase(Locale.ROOT));
        if (endpoint == Endpoint.POLL) {
            String query = form(fields, r);
            if (r.nextInt(5) == 0) {
                query += "&_=" + r.nextInt(1_000_000);
            }
            String method = r.nextInt(12) == 0 ? pick(r, List.of("POST", "PUT", "HEAD", "DELETE")) : "GET";
            return request(index, kind.toString(), method, "/get_msg" + (query.isEmpty() && r.nextBoolean() ? "" : "?" + query),
                    null, new byte[0], r);
        }
        byte[] body = (json ? json(fields, r) : form(fields, r)).getBytes(StandardCharsets.UTF_8);
        String contentType = json ? JSON : FORM;
        if (r.nextInt(10) == 0) {
            contentType = pick(r, CONTENT_TYPES);
            kind.append(" ct");
        } else if (r.nextInt(25) == 0) {
            contentType = null;
            kind.append(" no-ct");
        }
        int mutations = r.nextInt(100) < 55 ? 0 : r.nextInt(100) < 65 ? 1 : 2;
        for (int m = 0; m < mutations; m++) {
            int which = r.nextInt(9);
            kind.append(" m").append(which);
            body = mutate(body, which, json, r);
            if (which == 7 && contentType != null) {
                contentType = contentType.equals(JSON) ? FORM : JSON;
            }
        }
        String method = r.nextInt(15) == 0 ? pick(r, List.of("GET", "PUT", "PATCH", "DELETE")) : "POST";
        String path = switch (endpoint) {
            case JOIN -> "/join";
            case SEND -> "/send_msg";
            default -> "/leave";
        };
        String query = r.nextInt(10) == 0 ? "?clientId=" + a + "&name=alice" : "";
        return request(index, kind.toString(), method, path + query, contentType, body, r);
    }

    private List<F> fields(Endpoint endpoint, Random r, boolean json) {
        List<F> fields = new ArrayList<>();
        switch (endpoint) {
            case JOIN -> {
                maybe(fields, r, 90, "name", r.nextInt(100) < 60 ? pick(r, takenNames) : pick(r, names), json);
                maybe(fields, r, 65, "room", pick(r, rooms), json);
                maybe(fields, r, 40, "clientId", pick(r, ids), json);
            }
            case SEND -> {
                maybe(fields, r, 90, "clientId", pick(r, ids), json);
                maybe(fields, r, 90, "text", pick(r, texts), json);
                maybe(fields, r, 40, "msgId", pick(r, msgIds), json);
            }
            case POLL -> {
                maybe(fields, r, 92, "clientId", pick(r, ids), false);
                maybe(fields, r, 60, "cursor", pick(r, numbers), false);
                maybe(fields, r, 70, "timeout", r.nextInt(100) < 55 ? V.n("0") : pick(r, numbers), false);
            }
            case LEAVE -> {
                maybe(fields, r, 90, "clientId", pick(r, ids), json);
                maybe(fields, r, 50, "grace", pick(r, numbers), json);
            }
        }
        if (r.nextInt(100) < 15) {
            String key = pick(r, List.of("foo", "__proto__", "constructor", "clientid", "Name", "name ", "", "=",
                    "room[]", "clientId[]", "a".repeat(1000)));
            fields.add(new F(key, V.t(pick(r, List.of("1", "x", a, "")))));
        }
        if (!fields.isEmpty() && r.nextInt(100) < 8) {
            F twice = pick(r, fields);
            fields.add(new F(twice.key(), r.nextBoolean() ? twice.value() : V.t("other")));
        }
        Collections.shuffle(fields, r);
        return fields;
    }

    private void maybe(List<F> fields, Random r, int percent, String key, V value, boolean json) {
        if (r.nextInt(100) < percent) {
            fields.add(new F(key, json && r.nextInt(100) < 12 ? pick(r, wrongTypes) : value));
        }
    }

    private static String form(List<F> fields, Random r) {
        StringBuilder out = new StringBuilder();
        for (F field : fields) {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(formEncode(field.key(), r)).append('=');
            V v = field.value();
            out.append(v.form() != null ? v.form() : formEncode(v.text() != null ? v.text() : v.json(), r));
        }
        if (r.nextInt(20) == 0) {
            out.append(pick(r, List.of("&", "&&", "=", "&=", "&novalue")));
        }
        return out.toString();
    }

    private static String formEncode(String text, Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> {
                StringBuilder all = new StringBuilder();
                for (byte x : text.getBytes(StandardCharsets.UTF_8)) {
                    all.append('%').append(String.format(r.nextBoolean() ? "%02X" : "%02x", x & 0xff));
                }
                yield all.toString();
            }
            case 1 -> URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
            default -> URLEncoder.encode(text, StandardCharsets.UTF_8);
        };
    }

    private static String json(List<F> fields, Random r) {
        StringBuilder out = new StringBuilder("{");
        boolean first = true;
        for (F field : fields) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(jsonString(field.key(), r)).append(':');
            V v = field.value();
            if (v.json() != null && (v.text() == null || r.nextInt(100) < 80)) {
                out.append(v.json());
            } else {
                out.append(jsonString(v.text() != null ? v.text() : v.form(), r));
            }
        }
        return out.append('}').toString();
    }

    private static String jsonString(String text, Random r) {
        boolean escapeAll = r.nextInt(8) == 0;
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '"' || ch == '\\') {
                out.append('\\').append(ch);
            } else if (ch < 0x20 || (escapeAll && ch > 0x7e)) {
                out.append(String.format("\\u%04x", (int) ch));
            } else {
                out.append(ch);
            }
        }
        return out.append('"').toString();
    }

    private static final byte[] INSERTS = {0x00, 0x01, 0x1f, 0x7f, (byte) 0x80, (byte) 0xc0, (byte) 0xff, '&', '=', '%',
            '"', '{', '}', '\\', '+', ',', '\n'};

    private static byte[] mutate(byte[] body, int which, boolean json, Random r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (which) {
            case 0 -> {
                return java.util.Arrays.copyOf(body, body.length == 0 ? 0 : r.nextInt(body.length));
            }
            case 1 -> {
                int at = r.nextInt(body.length + 1);
                out.write(body, 0, at);
                out.write(INSERTS[r.nextInt(INSERTS.length)]);
                out.write(body, at, body.length - at);
            }
            case 2 -> {
                byte[] copy = body.clone();
                if (copy.length > 0) {
                    copy[r.nextInt(copy.length)] = (byte) r.nextInt(256);
                }
                return copy;
            }
            case 3 -> {
                out.writeBytes(body);
                out.writeBytes(pick(r, List.of("&", "=", "}", "x", "\u0000", "%", " ", "\r\n", "{}", ",")).getBytes(StandardCharsets.UTF_8));
            }
            case 4 -> {
                out.writeBytes(r.nextBoolean() ? new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf} : new byte[] {0});
                out.writeBytes(body);
            }
            case 5 -> {
                String text = new String(body, StandardCharsets.ISO_8859_1);
                if (json && text.endsWith("}")) {
                    String glue = text.length() > 2 ? "," : "";
                    text = text.substring(0, text.length() - 1) + glue + "\"name\":\"alice\"}";
                } else {
                    text = text + "&name=alice";
                }
                return text.getBytes(StandardCharsets.ISO_8859_1);
            }
            case 6 -> {
                String text = new String(body, StandardCharsets.ISO_8859_1);
                return (json ? "[" + text + "]" : text.replace("=", "%3D")).getBytes(StandardCharsets.ISO_8859_1);
            }
            case 8 -> {
                int at = r.nextInt(body.length + 1);
                out.write(body, 0, at);
                out.writeBytes(HexFormat.of().parseHex(pick(r, NOT_UTF8)));
                out.write(body, at, body.length - at);
            }
            default -> {
                return body; // 7: the content type is swapped by the caller
            }
        }
        return out.toByteArray();
    }

    private Attack contentTypeAttack(int index, Random r) {
        String path = pick(r, List.of("/join", "/send_msg", "/leave"));
        String body = switch (path) {
            case "/join" -> r.nextBoolean() ? "name=alice&room=hostile" : "{\"name\":\"alice\",\"room\":\"hostile\"}";
            case "/send_msg" -> r.nextBoolean() ? "clientId=" + a + "&text=hi" : "{\"clientId\":\"" + a + "\",\"text\":\"hi\"}";
            default -> r.nextBoolean() ? "clientId=" + a : "{\"clientId\":\"" + a + "\"}";
        };
        String contentType = r.nextInt(10) == 0 ? null : pick(r, CONTENT_TYPES);
        return request(index, "content-type", "POST", path, contentType, body.getBytes(StandardCharsets.UTF_8), r);
    }

    private Attack methodAttack(int index, Random r) {
        String path = pick(r, List.of("/join", "/send_msg", "/get_msg", "/leave", "/", "/chat.js"));
        String method = pick(r, List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD", "get",
                "post", "FOO", "PROPFIND", "MOVE", "CONNECT", "M-SEARCH"));
        String query = path.equals("/get_msg") ? "?clientId=" + a + "&timeout=0" : "";
        byte[] body = method.equals("GET") || method.equals("HEAD") || method.equals("TRACE")
                ? new byte[0] : ("clientId=" + a + "&name=alice&text=hi").getBytes(StandardCharsets.UTF_8);
        return request(index, "method", method, path + query, body.length == 0 ? null : FORM, body, r);
    }

    private Attack pathAttack(int index, Random r) {
        String path = pick(r, List.of("/JOIN", "/join/", "/join;x=1", "/join%00", "/jo%69n", "//join", "/./join",
                "/x/../join", "/%2e%2e/join", "/join.json", "/WEB-INF/web.xml", "/META-INF/MANIFEST.MF",
                "/vendor/../chat.js", "/index.html;jsessionid=1", "/chat.js%00.html", "/%ff", "/\u00e9", "/..",
                "/a b", "/get_msg/", "/get_msg;a", "/send_msg%2F", "/leave%20", "/" + "a".repeat(300), "/public/chat.js",
                "/vendor/", "/vendor/jquery.js", "/longpoll-chat.properties", "/io/github/longpollchat/hub/Hub.class",
                "/../longpoll-chat.properties", "/%2e%2e%2flongpoll-chat.properties", "/chat.js/", "/index.html/x",
                "/%5cjoin", "/join\\", "/~root", "/.git/config", "/*", "/?", "/join?", "/%", "/%%30%30"));
        String method = pick(r, List.of("GET", "GET", "POST", "HEAD", "PUT"));
        String query = r.nextBoolean() ? "" : "?cursor=1";
        return request(index, "path", method, path + query, null, new byte[0], r);
    }

    private Attack sizeAttack(int index, Random r) {
        int which = r.nextInt(12);
        switch (which) {
            case 0 -> { // over 64 KiB: a live client's leave padded past the limit
                int size = pick(r, List.of(65_537, 70_000, 200_000, 1_100_000));
                String head = "clientId=" + a + "&grace=0&pad=";
                byte[] body = pad(head, size);
                boolean chunked = r.nextBoolean();
                return new Attack(index, "over 64 KiB" + (chunked ? " chunked" : ""), "POST", "/leave", FORM, List.of(),
                        body, true, chunked, null, false, false, null);
            }
            case 1 -> { // exactly 64 KiB, and one byte less: read, and refused for the name
                byte[] body = pad("name=alice&room=hostile&pad=", 65_536 - r.nextInt(2));
                return request(index, "64 KiB", "POST", "/join", FORM, body, r);
            }
            case 2 -> { // a large JSON document under the limit
                StringBuilder json = new StringBuilder("{\"name\":\"alice\",\"room\":\"hostile\",\"x\":[");
                while (json.length() < 60_000) {
                    json.append(r.nextInt(1000)).append(',');
                }
                json.append("0]}");
                return request(index, "big json", "POST", "/join", JSON, json.toString().getBytes(StandardCharsets.UTF_8), r);
            }
            case 3 -> { // many form fields
                StringBuilder form = new StringBuilder("name=alice&room=hostile");
                int count = pick(r, List.of(1000, 5000, 9000));
                for (int i = 0; i < count && form.length() < 60_000; i++) {
                    form.append("&f").append(i).append('=').append(i);
                }
                return request(index, "many fields", "POST", "/join", FORM, form.toString().getBytes(StandardCharsets.UTF_8), r);
            }
            case 4 -> { // deep nesting, as a value or as the whole document
                int depth = pick(r, List.of(10, 63, 64, 65, 100, 999, 1000, 1001, 5000, 30_000));
                String nested = "[".repeat(depth) + "]".repeat(depth);
                String document = switch (r.nextInt(4)) {
                    case 0 -> "{\"name\":" + nested + ",\"room\":\"hostile\"}";
                    case 1 -> "{\"clientId\":\"" + a + "\",\"x\":" + nested + "}";
                    case 2 -> "[".repeat(depth);
                    default -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
                };
                return request(index, "deep json " + depth, "POST", pick(r, List.of("/join", "/leave", "/send_msg")), JSON,
                        document.getBytes(StandardCharsets.UTF_8), r);
            }
            case 5 -> { // a huge string value
                String huge = "a".repeat(pick(r, List.of(2001, 60_000)));
                boolean json = r.nextBoolean();
                String body = json ? "{\"clientId\":\"" + a + "\",\"text\":\"" + huge + "\"}" : "clientId=" + a + "&text=" + huge;
                return request(index, "huge text", "POST", "/send_msg", json ? JSON : FORM, body.getBytes(StandardCharsets.UTF_8), r);
            }
            case 6 -> { // a huge number
                String digits = "9".repeat(pick(r, List.of(19, 20, 1000, 1001, 50_000)));
                boolean json = r.nextBoolean();
                String body = json ? "{\"clientId\":\"" + a + "\",\"grace\":" + digits + "}" : "clientId=" + a + "&grace=" + digits;
                return request(index, "huge number", "POST", "/leave", json ? JSON : FORM, body.getBytes(StandardCharsets.UTF_8), r);
            }
            case 7 -> { // a huge query string
                int size = pick(r, List.of(4_000, 7_000, 20_000, 100_000));
                String query = "clientId=" + a + "&timeout=0&pad=" + "p".repeat(size);
                return request(index, "huge query " + size, "GET", "/get_msg?" + query, null, new byte[0], r);
            }
            case 8 -> { // a huge header, on a harmless poll near the limit, on a live client's leave far beyond it
                int size = pick(r, List.of(9_000, 20_000, 65_536));
                List<Map.Entry<String, String>> headers = List.of(Map.entry("X-Pad", "h".repeat(size)));
                if (size == 65_536) {
                    return new Attack(index, "huge header", "POST", "/leave", FORM, headers,
                            ("clientId=" + a).getBytes(StandardCharsets.UTF_8), r.nextBoolean(), false, null, false, false,
                            Verdict.errors(ProtocolErrorTable.CODES));
                }
                return new Attack(index, "big header", "GET", "/get_msg?timeout=0&clientId=" + a, null, headers,
                        new byte[0], r.nextBoolean(), false, null, false, false, null);
            }
            case 9 -> { // many headers
                int count = pick(r, List.of(100, 500, 3000));
                List<Map.Entry<String, String>> headers = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    headers.add(Map.entry("X-H" + i, "v" + i));
                }
                return new Attack(index, "many headers " + count, "GET", "/get_msg?timeout=0&clientId=" + b, null, headers,
                        new byte[0], r.nextBoolean(), false, null, false, false, null);
            }
            case 10 -> { // a body that declares no length: chunked, under and over the limit
                byte[] body = pad("name=alice&room=hostile&pad=", pick(r, List.of(100, 65_536, 65_537, 300_000)));
                return new Attack(index, "chunked " + body.length, "POST", "/join", FORM, List.of(), body,
                        r.nextBoolean(), true, null, false, false, null);
            }
            default -> { // a long run of escapes
                String body = "clientId=" + a + "&text=" + "%00".repeat(pick(r, List.of(10, 5000, 20_000)));
                return request(index, "many escapes", "POST", "/send_msg", FORM, body.getBytes(StandardCharsets.UTF_8), r);
            }
        }
    }

    private static byte[] pad(String head, int size) {
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) 'a');
        byte[] start = head.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(start, 0, body, 0, Math.min(start.length, size));
        return body;
    }

    private Attack randomBytesAttack(int index, Random r) {
        String path = pick(r, List.of("/join", "/send_msg", "/leave"));
        int length = r.nextInt(4) == 0 ? r.nextInt(20_000) : r.nextInt(300);
        byte[] body = new byte[length];
        int style = r.nextInt(3);
        String alphabet = "{}[]\":,=&%+ abcdeilmnortx0123456789\\u-_" + a.substring(0, 6);
        for (int i = 0; i < length; i++) {
            body[i] = switch (style) {
                case 0 -> (byte) r.nextInt(256);
                case 1 -> (byte) (0x20 + r.nextInt(0x5f));
                default -> (byte) alphabet.charAt(r.nextInt(alphabet.length()));
            };
        }
        String contentType = pick(r, List.of(FORM, JSON, FORM, JSON, "text/plain"));
        return request(index, "random bytes " + style, "POST", path, r.nextInt(15) == 0 ? null : contentType, body, r);
    }

    /** Byte sequences that are not UTF-8: overlong forms, encoded surrogates, beyond U+10FFFF, cut short, stray. */
    private static final List<String> NOT_UTF8 = List.of("C0AF", "E080AF", "F08080AF", "EDA080", "EDBFBF", "F4908080",
            "F8888080AF", "C3", "E282", "80", "FE", "FF", "C328");

    /** A request that would be accepted (a message, a new join) if its invalid UTF-8 were decoded leniently. */
    private Attack invalidUtf8Attack(int index, Random r) {
        byte[] bad = HexFormat.of().parseHex(pick(r, NOT_UTF8));
        boolean json = r.nextBoolean();
        boolean join = r.nextBoolean();
        String before;
        String after;
        if (join) {
            before = json ? "{\"room\":\"other\",\"name\":\"mal" : "room=other&name=mal";
            after = json ? "lory\"}" : "lory";
        } else {
            before = json ? "{\"clientId\":\"" + a + "\",\"text\":\"hi" : "clientId=" + a + "&text=hi";
            after = json ? " there\"}" : "+there";
        }
        byte[] body = RawHttp.concat(before.getBytes(StandardCharsets.UTF_8), bad, after.getBytes(StandardCharsets.UTF_8));
        return request(index, "invalid utf-8", "POST", join ? "/join" : "/send_msg", json ? JSON : FORM, body, r);
    }

    /** A protocol-level request, sent by HttpClient unless it cannot be, or by a coin toss. */
    private static Attack request(int index, String kind, String method, String target, String contentType,
                                  byte[] body, Random r) {
        return new Attack(index, kind, method, target, contentType, List.of(), body, r.nextInt(4) == 0, false,
                null, false, false, null);
    }

    // --- HTTP-level attacks, over a bare socket ---

    private Attack httpLevelAttack(int index, Random r) {
        String leaveA = "clientId=" + a;
        String leaveUnknown = "clientId=" + unknown;
        String form = "Content-Type: " + FORM + "\r\n";
        Verdict refused = Verdict.errors(ProtocolErrorTable.CODES);
        Verdict refusedOrHarmless = refused.or(Verdict.ok(204, "the leave of an unknown client"));
        int which = r.nextInt(27);
        String text;
        Verdict verdict = refused;
        boolean halfClose = false;
        boolean mayGoUnanswered = false;
        switch (which) {
            case 0 -> {
                StringBuilder junk = new StringBuilder();
                int length = 1 + r.nextInt(200);
                for (int i = 0; i < length; i++) {
                    junk.append((char) r.nextInt(256));
                }
                junk.setCharAt(r.nextInt(length), (char) r.nextInt(0x20));
                text = junk.toString().replace("\n", "").replace("\r", "") + "\r\n\r\n";
            }
            case 1 -> text = post("/leave", form + "X-Bad\u0000Name: 1\r\n", leaveA);
            case 2 -> text = "POST /leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form
                    + "Content-Length : " + leaveA.length() + "\r\n\r\n" + leaveA;
            case 3 -> text = "POST /leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form + "Content-Length: "
                    + pick(r, List.of("abc", "-1", "0x10", "+" + leaveA.length(), "99999999999999999999", " ",
                    leaveA.length() + ".0", leaveA.length() + "a")) + "\r\n\r\n" + leaveA;
            case 4 -> text = "POST /leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form + "Content-Length: "
                    + leaveA.length() + "\r\nContent-Length: " + (leaveA.length() + 5) + "\r\n\r\n" + leaveA + "&x=1";
            case 5 -> {
                text = "POST /leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form + "Content-Length: 4\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(leaveUnknown.length()) + "\r\n"
                        + leaveUnknown + "\r\n0\r\n\r\n";
                verdict = refusedOrHarmless;
            }
            case 6 -> text = "POST /leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form + "Transfer-Encoding: "
                    + pick(r, List.of("gzip", "xchunked", "chunked, gzip", "identity", "chunked;x=1")) + "\r\n\r\n"
                    + Integer.toHexString(leaveA.length()) + "\r\n" + leaveA + "\r\n0\r\n\r\n";
            case 7 -> text = "POST /leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form
                    + "Transfer-Encoding: chunked\r\n\r\n" + pick(r, List.of("zz", "fffffffffffffffffffff", "-1", "", " 1a"))
                    + "\r\n" + leaveA + "\r\n0\r\n\r\n";
            case 8 -> text = "POST /leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form
                    + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(leaveA.length()) + "\r\n" + leaveA
                    + "XX0\r\n\r\n";
            case 9 -> { // the body ends before its Content-Length: must not be read as complete
                text = "POST /leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form + "Content-Length: "
                        + (leaveA.length() + 1 + r.nextInt(100)) + "\r\n\r\n" + leaveA;
                halfClose = true;
                mayGoUnanswered = true;
            }
            case 10 -> { // a chunked body that never ends
                text = "POST /leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form
                        + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(leaveA.length()) + "\r\n" + leaveA + "\r\n";
                halfClose = true;
                mayGoUnanswered = true;
            }
            case 11 -> text = "POST /leave HTTP/1.1\r\nConnection: close\r\n" + form + "Content-Length: "
                    + leaveA.length() + "\r\n\r\n" + leaveA;
            case 12 -> text = "POST /leave HTTP/1.1\r\nHost: x\r\nHost: y\r\nConnection: close\r\n" + form
                    + "Content-Length: " + leaveA.length() + "\r\n\r\n" + leaveA;
            case 13 -> {
                String version = pick(r, List.of("HTTP/1.7", "HTTP/2.0", "HTTP/1", "HTTP/1.1.1", "http/1.1",
                        "HTTP/01.1", "HTTP/1.1 x", "HTTX/1.1", "HTTP/3.0"));
                // Jetty reads a lower-case "http/1.1" as HTTP/1.1: lenient, not a misreading; harmless content then.
                String body = version.equals("http/1.1") ? leaveUnknown : leaveA;
                verdict = version.equals("http/1.1") ? refusedOrHarmless : refused;
                text = "POST /leave " + version + "\r\nHost: x\r\nConnection: close\r\n" + form
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            }
            case 14 -> {
                text = post("/leave", form + "X-A: 1\r\n  folded\r\n", leaveUnknown);
                verdict = refusedOrHarmless;
            }
            case 15 -> {
                text = post("/leave", form, leaveUnknown).replace("\r\n", "\n");
                verdict = refusedOrHarmless;
            }
            case 16 -> {
                text = post("/leave", form + "X-A: a\u0000b\r\n", leaveUnknown);
                verdict = refusedOrHarmless;
            }
            case 17 -> text = "POST /leave?" + "q".repeat(70_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form
                    + "Content-Length: " + leaveA.length() + "\r\n\r\n" + leaveA;
            case 18 -> text = post("/leave", form + "X-Pad: " + "h".repeat(70_000) + "\r\n", leaveA);
            case 19 -> {
                text = "POST http://evil.example/leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form
                        + "Content-Length: " + leaveUnknown.length() + "\r\n\r\n" + leaveUnknown;
                verdict = refusedOrHarmless;
            }
            case 20 -> {
                text = post("/leave", form + "X-A: a\rb\r\n", leaveUnknown);
                verdict = refusedOrHarmless;
            }
            case 21 -> {
                text = "\r\n\r\n" + post("/leave", form, leaveUnknown);
                verdict = refusedOrHarmless;
            }
            case 22 -> {
                text = "\r\n\r\n";
                halfClose = true;
                mayGoUnanswered = true;
            }
            case 23 -> {
                text = "POST /leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form
                        + "Expect: 100-continue\r\nContent-Length: 70000\r\n\r\n";
                halfClose = true;
                verdict = Verdict.error("body_too_large");
            }
            case 24 -> text = pick(r, List.of("PO ST", "POST\u0000", "POST\t", "P\u00d6ST", "\u0000POST")) + " /leave HTTP/1.1\r\n"
                    + "Host: x\r\nConnection: close\r\n" + form + "Content-Length: " + leaveA.length() + "\r\n\r\n" + leaveA;
            case 25 -> text = "POST /leave" + pick(r, List.of("\u0001", "\u0000", "\u007f", " /x", "\t")) + " HTTP/1.1\r\n"
                    + "Host: x\r\nConnection: close\r\n" + form + "Content-Length: " + leaveA.length() + "\r\n\r\n" + leaveA;
            default -> { // a body longer than its Content-Length: the rest must not become a request of its own
                String smuggled = "POST /leave HTTP/1.1\r\nHost: x\r\n" + form + "Content-Length: " + leaveA.length()
                        + "\r\n\r\n" + leaveA;
                text = "POST /leave HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + form + "Content-Length: 5\r\n\r\n"
                        + "clien" + smuggled;
                verdict = Verdict.error("missing_field");
            }
        }
        byte[] raw = text.getBytes(StandardCharsets.ISO_8859_1);
        return new Attack(index, "http-level " + which, null, null, null, List.of(), new byte[0], true, false, raw,
                halfClose, mayGoUnanswered, verdict);
    }

    private static String post(String path, String headers, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers + "Content-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static <T> T pick(Random r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    static String show(byte[] bytes, int max) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < bytes.length && out.length() < max; i++) {
            int x = bytes[i] & 0xff;
            if (x >= 0x20 && x < 0x7f && x != '\\') {
                out.append((char) x);
            } else {
                out.append(String.format("\\x%02x", x));
            }
        }
        return out.length() >= max ? out + "…" : out.toString();
    }
}
