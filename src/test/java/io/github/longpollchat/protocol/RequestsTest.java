package io.github.longpollchat.protocol;

import static io.github.longpollchat.protocol.Api.bytes;
import static io.github.longpollchat.protocol.Api.utf8;
import static io.github.longpollchat.protocol.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.longpollchat.testing.ChatTarget;
import io.github.longpollchat.testing.RawHttp;
import io.github.longpollchat.testing.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How requests are read (content types, forms, JSON, sizes) and which error wins when several
 * apply: 404, 405, 413, 415, malformed_body, missing_field, invalid_*, 410, 409.
 */
@Timeout(60)
class RequestsTest {
    private static final int MAX_BODY = 64 * 1024;
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String JSON = "application/json";

    @RegisterExtension
    static ChatTarget chat = ChatTarget.withDefaults();

    private final Api api = new Api(chat);

    // Content types.

    @Test
    void jsonObjectBodiesAreAcceptedByEveryPost() {
        String room = Unique.room();
        Reply joined = api.postJson("join", "{\"name\":\"alice\",\"room\":\"" + room + "\"}");
        Checks.assertOk(joined);
        String id = joined.json().get("clientId").textValue();
        Reply sent = api.postJson("send_msg", "{\"clientId\":\"" + id + "\",\"text\":\"hi \\u00e9\",\"msgId\":\"m1\"}");
        Checks.assertOk(sent);
        assertEquals("hi \u00e9", api.poll(id, null, 0).get("messages").get(1).get("text").textValue());
        assertEquals(204, api.postJson("leave", "{\"clientId\":\"" + id + "\"}").status());
        assertFalse(api.isLive(id));
    }

    @Test
    void utf8CharsetInAnySpellingIsAccepted() {
        String room = Unique.room();
        List<String> types = List.of(FORM + "; charset=UTF-8", FORM + ";charset=utf-8", FORM + "; Charset=\"utf-8\"",
                "Application/X-WWW-Form-Urlencoded");
        for (int i = 0; i < types.size(); i++) {
            Checks.assertOk(api.post("join", types.get(i), utf8("name=f" + i + "&room=" + room)));
        }
        List<String> jsonTypes = List.of(JSON + "; charset=UTF-8", JSON + ";charset=utf-8", "APPLICATION/JSON");
        for (int i = 0; i < jsonTypes.size(); i++) {
            Checks.assertOk(api.post("join", jsonTypes.get(i), utf8("{\"name\":\"j" + i + "\",\"room\":\"" + room + "\"}")));
        }
    }

    @Test
    void charsetOtherThanUtf8Is415ForFormAndJson() {
        String room = Unique.room();
        for (String type : List.of(FORM + "; charset=latin1", FORM + "; charset=ISO-8859-1", JSON + "; charset=latin1",
                JSON + "; charset=UTF-16", JSON + "; charset=us-ascii")) {
            assertError(api.post("join", type, utf8("name=alice&room=" + room)), 415, "unsupported_media_type");
        }
    }

    @Test
    void bodyThatIsNeitherFormNorJsonIs415() {
        for (String type : List.of("text/plain", "text/plain; charset=UTF-8", "application/xml",
                "multipart/form-data; boundary=x", "application/octet-stream", "text/json")) {
            assertError(api.post("join", type, utf8("name=alice")), 415, "unsupported_media_type");
        }
    }

    @Test
    void postWithNoContentTypeIsReadAsAnEmptyForm() {
        assertError(api.post("join", null, utf8("name=alice")), 400, "missing_field");
        assertError(api.post("join", null, new byte[0]), 400, "missing_field");
        assertError(api.post("send_msg", null, utf8("clientId=x&text=y")), 400, "missing_field");
    }

    @Test
    void queryStringIsIgnoredForPostFields() {
        String room = Unique.room();
        assertError(api.post("join?name=alice&room=" + room, FORM, new byte[0]), 400, "missing_field");
        Reply joined = api.post("join?room=elsewhere", FORM, utf8("name=alice&room=" + room));
        Checks.assertOk(joined);
        assertEquals(room, joined.json().get("room").textValue());
        String id = joined.json().get("clientId").textValue();
        assertError(api.post("send_msg?text=hi", FORM, utf8("clientId=" + id)), 400, "missing_field");
        assertError(api.post("leave?clientId=" + id, FORM, new byte[0]), 400, "missing_field");
        assertTrue(api.isLive(id));
    }

    @Test
    void unknownFieldsAreIgnored() {
        String room = Unique.room();
        Checks.assertOk(api.post("join", FORM, utf8("name=alice&room=" + room + "&colour=blue&=x&flag")));
        Checks.assertOk(api.postJson("join", "{\"name\":\"bob\",\"room\":\"" + room + "\",\"extra\":{\"a\":[1,2]}}"));
    }

    @Test
    void malformedContentTypeIsUnsupportedMediaTypeNeverA500() {
        String room = Unique.room();
        assertAll(List.of(";;;", ";", "/", "application/", ";charset=utf-8",
                "application/json; charset=\"\"").stream().map(type -> () -> {
                    Reply reply = RawHttp.exchange(api.base(), RawHttp.request(api.base(), "POST", "join",
                            List.of("Content-Type: " + type), utf8("name=alice&room=" + room)));
                    assertEquals(415, reply.status(), () -> "Content-Type: " + type + " -> " + reply);
                    Checks.everyReply("POST", "join", reply);
                }));
    }

    @Test
    void malformedHttpGetsA400NeverA500OrAStackTrace() {
        String path = api.base().getRawPath();
        String host = "Host: " + api.base().getHost() + "\r\n";
        List<String> requests = List.of(
                "GARBAGE\r\n\r\n",
                "GET " + path + "get_msg HTTP/1.1\r\nConnection: close\r\n\r\n",
                "POST " + path + "join HTTP/1.1\r\n" + host + "Content-Type: " + FORM
                        + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nname=a\r\n0\r\n\r\n",
                "POST " + path + "join HTTP/1.1\r\n" + host + "Content-Length: abc\r\nConnection: close\r\n\r\n",
                "POST " + path + "join HTTP/1.1\r\n" + host + "Content-Type: " + FORM
                        + "\r\nContent-Length: 6\r\nContent-Length: 7\r\nConnection: close\r\n\r\nname=a",
                "GET " + path + "%ZZ HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n");
        for (String request : requests) {
            Reply reply = api.rawBytesToContainer("malformed HTTP", request);
            assertEquals(400, reply.status(), () -> request + " -> " + reply);
        }
    }

    @Test
    void aBodyCutShortByItsClientIs400MalformedBodyAndChangesNothing() throws Exception {
        // Tomcat ends such a request itself: with the body read without blocking it closes the
        // connection unanswered (read blocking, it answered its own HTML 400). See docs/protocol.md.
        Assumptions.assumeTrue(ChatTarget.isJar(), "Tomcat refuses a truncated body itself");
        String room = Unique.room();
        String head = "POST " + api.base().getRawPath() + "join HTTP/1.1\r\nHost: " + api.base().getHost()
                + "\r\nContent-Type: " + FORM + "\r\nContent-Length: 100\r\nConnection: close\r\n\r\n";
        // Part of its hundred bytes, then the client closes its side and waits for the answer:
        // less long than the 10 s body deadline, whose own 400 must not be what answers it.
        byte[] request = RawHttp.concat(RawHttp.bytes(head), utf8("name=alice&room=" + room));
        RawHttp.Response response = RawHttp.tryExchange(api.base().getPort(), request, true, false, 5_000);
        Reply reply = response.toReply();
        assertError(reply, 400, "malformed_body");
        assertTrue(reply.json().get("message").asText().contains("ended early"), reply.body());
        assertFalse(api.join("bob", room).members().contains("alice"), "alice did not join");
    }

    // Sizes.

    @Test
    void bodyOfExactly64KiBIsAccepted() {
        String head = "name=alice&room=" + Unique.room() + "&pad=";
        byte[] body = utf8(head + "x".repeat(MAX_BODY - head.length()));
        assertEquals(MAX_BODY, body.length);
        Checks.assertOk(api.post("join", FORM, body));
    }

    @Test
    void bodyOver64KiBIs413() {
        String head = "name=alice&room=" + Unique.room() + "&pad=";
        byte[] body = utf8(head + "x".repeat(MAX_BODY + 1 - head.length()));
        assertError(api.sendLarge("POST", "join", FORM, body, false), 413, "body_too_large");
        assertError(api.sendLarge("POST", "send_msg", JSON, utf8("{\"pad\":\"" + "x".repeat(MAX_BODY) + "\"}"), false),
                413, "body_too_large");
    }

    @Test
    void aClientThatSendsItsWholeBodyBeforeReadingStillGetsThe413() {
        // As most clients do. The server reads (and drops) a body of up to 2 MiB before it answers,
        // so that its close cannot reset the connection under the unread answer; that reset is a
        // race, which before this rule lost the 413 within 200 tries.
        byte[] body = new byte[70_000];
        for (int i = 0; i < 200; i++) {
            assertError(api.post("send_msg", FORM, body), 413, "body_too_large");
        }
    }

    @Test
    void chunkedBodyOver64KiBIs413() {
        String head = "name=alice&room=" + Unique.room() + "&pad=";
        byte[] body = utf8(head + "x".repeat(MAX_BODY + 1 - head.length()));
        assertError(api.sendLarge("POST", "join", FORM, body, true), 413, "body_too_large");
    }

    @Test
    void chunkedBodyWithinTheLimitIsRead() {
        Reply reply = api.postChunked("join", FORM, utf8("name=alice&room=" + Unique.room()));
        Checks.assertOk(reply);
    }

    // Forms.

    @Test
    void formKeyGivenTwiceIsMalformedBody() {
        String room = Unique.room();
        assertError(api.post("join", FORM, utf8("name=alice&name=bob&room=" + room)), 400, "malformed_body");
        assertError(api.post("join", FORM, utf8("name=alice&room=" + room + "&room=" + room)), 400, "malformed_body");
        assertError(api.post("join", FORM, utf8("name=alice&name=&room=" + room)), 400, "malformed_body");
    }

    @Test
    void invalidUtf8InAFormIsMalformedBody() {
        String room = Unique.room();
        for (String bad : List.of("%FF", "%C3", "%C3%28", "%80", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "%E0%80%AF")) {
            assertError(api.post("join", FORM, utf8("name=a" + bad + "&room=" + room)), 400, "malformed_body");
        }
        assertError(api.rawPostForm("join", bytes("name=a", 0xFF, "&room=" + room)), 400, "malformed_body");
        assertError(api.rawPostForm("join", bytes("name=a", 0xC3, 0x28, "&room=" + room)), 400, "malformed_body");
    }

    @Test
    void badPercentEncodingInAFormIsMalformedBody() {
        String room = Unique.room();
        for (String bad : List.of("%zz", "%4", "%", "%G0", "%%41")) {
            assertError(api.post("join", FORM, utf8("name=a" + bad + "&room=" + room)), 400, "malformed_body");
        }
        assertError(api.post("join", FORM, utf8("na%zzme=alice&room=" + room)), 400, "malformed_body");
    }

    @Test
    void plusAndPercentEncodingDecodeInAForm() {
        Reply reply = api.post("join", FORM, utf8("name=Zo%C3%AB+B%26B&room=" + Unique.room()));
        Checks.assertOk(reply);
        assertEquals("Zo\u00eb B&B", reply.json().get("name").textValue());
    }

    // JSON.

    @Test
    void jsonKeyGivenTwiceIsMalformedBody() {
        assertError(api.postJson("join", "{\"name\":\"alice\",\"name\":\"bob\"}"), 400, "malformed_body");
        assertError(api.postJson("join", "{\"name\":\"alice\",\"room\":\"a\",\"room\":\"a\"}"), 400, "malformed_body");
    }

    @Test
    void jsonThatDoesNotParseToAnObjectIsMalformedBody() {
        for (String bad : List.of("[]", "[{\"name\":\"alice\"}]", "42", "\"garbage\"", "garbage", "null", "true", "",
                "{", "{\"name\":\"alice\"", "{\"name\":\"alice\"} {}", "{\"name\":\"alice\",}", "{name:\"alice\"}",
                "{'name':'alice'}")) {
            assertError(api.postJson("join", bad), 400, "malformed_body");
        }
    }

    @Test
    void invalidUtf8InJsonIsMalformedBody() {
        String room = Unique.room();
        assertError(api.rawPostJson("join", bytes("{\"name\":\"a", 0xFF, "\",\"room\":\"" + room + "\"}")), 400, "malformed_body");
        assertError(api.rawPostJson("join", bytes("{\"name\":\"a", 0xC3, "\",\"room\":\"" + room + "\"}")), 400, "malformed_body");
        assertError(api.rawPostJson("join", bytes("{\"name\":\"a", 0x80, "\",\"room\":\"" + room + "\"}")), 400, "malformed_body");
    }

    @Test
    void overlongSurrogateOrOutOfRangeUtf8InJsonIsMalformedBody() {
        String room = Unique.room();
        // "/" as 2 and as 3 bytes, U+D800 encoded as if it were a character, and U+110000.
        Map<String, int[]> cases = new LinkedHashMap<>();
        cases.put("overlong C0 AF", new int[] {0xC0, 0xAF});
        cases.put("overlong E0 80 AF", new int[] {0xE0, 0x80, 0xAF});
        cases.put("surrogate ED A0 80", new int[] {0xED, 0xA0, 0x80});
        cases.put("above U+10FFFF F4 90 80 80", new int[] {0xF4, 0x90, 0x80, 0x80});
        assertAll(cases.entrySet().stream().map(bad -> () -> {
            Object[] parts = new Object[bad.getValue().length + 2];
            parts[0] = "{\"name\":\"" + bad.getKey().charAt(0) + bad.getValue().length;
            for (int i = 0; i < bad.getValue().length; i++) {
                parts[i + 1] = bad.getValue()[i];
            }
            parts[parts.length - 1] = "\",\"room\":\"" + room + "\"}";
            Reply reply = api.rawPostJson("join", bytes(parts));
            assertEquals(400, reply.status(), () -> bad.getKey() + ": " + reply);
            assertEquals("malformed_body", reply.error(), () -> bad.getKey() + ": " + reply);
        }));
    }

    @Test
    void jsonInUtf16IsNotUtf8AndIsMalformedBody() {
        String json = "{\"name\":\"alice\",\"room\":\"" + Unique.room() + "\"}";
        assertError(api.post("join", JSON, json.getBytes(StandardCharsets.UTF_16BE)), 400, "malformed_body");
        assertError(api.post("join", JSON, json.getBytes(StandardCharsets.UTF_16LE)), 400, "malformed_body");
    }

    @Test
    void jsonNullOrEmptyStringForARequiredFieldIsMissingField() {
        assertError(api.postJson("join", "{\"name\":null}"), 400, "missing_field");
        assertError(api.postJson("join", "{\"name\":\"\"}"), 400, "missing_field");
        assertError(api.postJson("join", "{}"), 400, "missing_field");
        assertError(api.postJson("send_msg", "{\"clientId\":null,\"text\":\"hi\"}"), 400, "missing_field");
        assertError(api.postJson("send_msg", "{\"clientId\":\"abc\",\"text\":\"\"}"), 400, "missing_field");
        assertError(api.postJson("leave", "{\"clientId\":\"\"}"), 400, "missing_field");
    }

    @Test
    void jsonNullOrEmptyStringForAnOptionalFieldIsTreatedAsAbsent() {
        String room = Unique.room();
        Reply lobby = api.postJson("join", "{\"name\":\"nullroom" + room.hashCode() + "\",\"room\":null}");
        Checks.assertOk(lobby);
        assertEquals("lobby", lobby.json().get("room").textValue());
        Reply lobbyToo = api.postJson("join", "{\"name\":\"emptyroom" + room.hashCode() + "\",\"room\":\"\"}");
        assertEquals("lobby", lobbyToo.json().get("room").textValue());
        Reply fresh = api.postJson("join", "{\"name\":\"alice\",\"room\":\"" + room + "\",\"clientId\":null}");
        Checks.assertOk(fresh);
        String id = fresh.json().get("clientId").textValue();
        long one = api.postJson("send_msg", "{\"clientId\":\"" + id + "\",\"text\":\"x\",\"msgId\":null}").json().get("id").longValue();
        long two = api.postJson("send_msg", "{\"clientId\":\"" + id + "\",\"text\":\"x\",\"msgId\":\"\"}").json().get("id").longValue();
        assertEquals(one + 1, two, "no msgId, so two messages");
        assertEquals(204, api.postJson("leave", "{\"clientId\":\"" + id + "\",\"grace\":null}").status());
        assertFalse(api.isLive(id), "no grace: left at once");
        Joined bob = api.join("bob", room);
        assertEquals(204, api.postJson("leave", "{\"clientId\":\"" + bob.clientId() + "\",\"grace\":\"\"}").status());
        assertFalse(api.isLive(bob.clientId()), "empty grace: left at once");
    }

    @Test
    void jsonValueOfTheWrongTypeIsInvalidForItsField() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        String id = alice.clientId();
        for (String name : List.of("5", "true", "{}", "[\"alice\"]", "1.5")) {
            assertError(api.postJson("join", "{\"name\":" + name + ",\"room\":\"" + room + "\"}"), 400, "invalid_name");
        }
        assertError(api.postJson("join", "{\"name\":\"bob\",\"room\":5}"), 400, "invalid_room");
        assertError(api.postJson("join", "{\"name\":\"bob\",\"room\":\"" + room + "\",\"clientId\":5}"), 400, "invalid_client_id");
        assertError(api.postJson("send_msg", "{\"clientId\":5,\"text\":\"hi\"}"), 400, "invalid_client_id");
        assertError(api.postJson("send_msg", "{\"clientId\":[\"" + id + "\"],\"text\":\"hi\"}"), 400, "invalid_client_id");
        assertError(api.postJson("send_msg", "{\"clientId\":\"" + id + "\",\"text\":5}"), 400, "invalid_text");
        assertError(api.postJson("send_msg", "{\"clientId\":\"" + id + "\",\"text\":{\"t\":1}}"), 400, "invalid_text");
        assertError(api.postJson("send_msg", "{\"clientId\":\"" + id + "\",\"text\":\"hi\",\"msgId\":5}"), 400, "invalid_msg_id");
        assertError(api.postJson("leave", "{\"clientId\":\"" + id + "\",\"grace\":\"3\"}"), 400, "invalid_grace");
        assertError(api.postJson("leave", "{\"clientId\":true}"), 400, "invalid_client_id");
        assertTrue(api.isLive(id));
    }

    @Test
    void loneSurrogateEscapeInJsonIsInvalidForItsField() {
        String room = Unique.room();
        Joined alice = api.join("alice", room);
        String id = alice.clientId();
        assertError(api.postJson("join", "{\"name\":\"a\\ud800\",\"room\":\"" + room + "\"}"), 400, "invalid_name");
        assertError(api.postJson("join", "{\"name\":\"\\udc00b\",\"room\":\"" + room + "\"}"), 400, "invalid_name");
        assertError(api.postJson("join", "{\"name\":\"\\ude00\\ud83d\",\"room\":\"" + room + "\"}"), 400, "invalid_name");
        assertError(api.postJson("join", "{\"name\":\"bob\",\"room\":\"\\ud800\"}"), 400, "invalid_room");
        assertError(api.postJson("send_msg", "{\"clientId\":\"" + id + "\",\"text\":\"hi \\ud800\"}"), 400, "invalid_text");
        assertError(api.postJson("send_msg", "{\"clientId\":\"" + id + "\",\"text\":\"hi\",\"msgId\":\"\\ud800\"}"), 400, "invalid_msg_id");
        assertError(api.postJson("send_msg", "{\"clientId\":\"\\ud800\",\"text\":\"hi\"}"), 400, "invalid_client_id");
        Reply pair = api.postJson("join", "{\"name\":\"\\ud83d\\ude00\",\"room\":\"" + room + "\"}");
        Checks.assertOk(pair);
        assertEquals("\uD83D\uDE00", pair.json().get("name").textValue(), "a proper pair is a character");
    }

    // Which error wins.

    @Test
    void notFoundOutranksMethodNotAllowed() {
        for (String method : List.of("PUT", "DELETE", "POST", "PATCH", "GET")) {
            assertError(api.method(method, "nope"), 404, "not_found");
        }
        assertError(api.method("PUT", "join/extra"), 404, "not_found");
    }

    @Test
    void wrongMethodIs405WithAnAllowHeader() {
        for (String path : List.of("join", "send_msg", "leave")) {
            for (String method : List.of("GET", "PUT", "DELETE")) {
                Reply reply = api.method(method, path);
                assertError(reply, 405, "method_not_allowed");
                assertEquals(List.of("POST"), allowed(reply), path);
            }
        }
        for (String method : List.of("POST", "PUT", "DELETE")) {
            Reply reply = api.method(method, "get_msg");
            assertError(reply, 405, "method_not_allowed");
            assertEquals(List.of("GET"), allowed(reply).stream().filter(m -> !m.equals("HEAD")).toList());
        }
        Reply page = api.method("POST", "");
        assertError(page, 405, "method_not_allowed");
        assertTrue(allowed(page).contains("GET"));
    }

    @Test
    void methodNotAllowedOutranksBodyTooLarge() {
        byte[] big = new byte[MAX_BODY + 100];
        Arrays.fill(big, (byte) 'x');
        assertError(api.sendLarge("PUT", "join", "text/plain", big, false), 405, "method_not_allowed");
        assertError(api.sendLarge("POST", "get_msg", "text/plain", big, false), 405, "method_not_allowed");
        assertError(api.sendLarge("PUT", "leave", FORM, big, true), 405, "method_not_allowed");
    }

    @Test
    void bodyTooLargeOutranksUnsupportedMediaType() {
        byte[] big = new byte[MAX_BODY + 100];
        Arrays.fill(big, (byte) 'x');
        assertError(api.sendLarge("POST", "join", "text/plain", big, false), 413, "body_too_large");
        assertError(api.sendLarge("POST", "join", "text/plain", big, true), 413, "body_too_large");
        assertError(api.sendLarge("POST", "join", JSON + "; charset=latin1", big, false), 413, "body_too_large");
    }

    @Test
    void unsupportedMediaTypeOutranksMalformedBody() {
        assertError(api.post("join", "text/plain", utf8("%zz&&name=a&name=b")), 415, "unsupported_media_type");
        assertError(api.post("join", JSON + "; charset=latin1", utf8("[not json")), 415, "unsupported_media_type");
    }

    @Test
    void malformedBodyOutranksMissingField() {
        assertError(api.post("join", FORM, utf8("room=%zz")), 400, "malformed_body");
        assertError(api.post("send_msg", FORM, utf8("text=a&text=b")), 400, "malformed_body");
        assertError(api.postJson("leave", "[1, 2"), 400, "malformed_body");
    }

    @Test
    void missingFieldOutranksInvalidFields() {
        assertError(api.postForm("join", "room", "bad room!", "clientId", "!!"), 400, "missing_field");
        assertError(api.postJson("join", "{\"name\":null,\"room\":5}"), 400, "missing_field");
        assertError(api.postForm("send_msg", "clientId", "!!", "msgId", "bad msg id"), 400, "missing_field");
        assertError(api.postJson("send_msg", "{\"clientId\":5,\"text\":null}"), 400, "missing_field");
        assertError(api.postJson("send_msg", "{\"text\":5}"), 400, "missing_field");
        assertError(api.postForm("leave", "grace", "11"), 400, "missing_field");
        assertError(api.get("get_msg?cursor=-1&timeout=99"), 400, "missing_field");
    }

    @Test
    void invalidFieldOutranksUnknownClient() {
        String unknown = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assertError(api.sendReply(unknown, "bad\u0007"), 400, "invalid_text");
        assertError(api.sendReply(unknown, "fine", "bad msg id"), 400, "invalid_msg_id");
        assertError(api.get("get_msg?clientId=" + unknown + "&cursor=-1"), 400, "invalid_cursor");
        assertError(api.get("get_msg?clientId=" + unknown + "&timeout=61"), 400, "invalid_timeout");
        assertError(api.postForm("leave", "clientId", unknown, "grace", "11"), 400, "invalid_grace");
    }

    @Test
    void invalidFieldOutranksNameTaken() {
        String room = Unique.room();
        api.join("alice", room);
        assertError(api.postForm("join", "name", "alice", "room", room + "!"), 400, "invalid_room");
        assertError(api.postJson("join", "{\"name\":\"alice\",\"room\":\"" + room + "\",\"clientId\":5}"), 400, "invalid_client_id");
    }

    @Test
    void everyErrorIsAJsonObjectWithStatusErrorAndMessage() {
        // Checks.everyReply holds every answer to this; here it is spelled out once.
        Reply reply = api.postForm("join");
        JsonNode error = reply.json();
        assertEquals(3, error.size(), error::toString);
        assertEquals(false, error.get("status").booleanValue());
        assertEquals("missing_field", error.get("error").textValue());
        assertTrue(error.get("message").isTextual());
        Checks.assertJsonContentType(reply, "missing_field");
        Checks.assertNoStore(reply, "missing_field");
    }

    private static List<String> allowed(Reply reply) {
        return Arrays.stream(reply.header("Allow").split(",")).map(String::strip).toList();
    }
}
