package io.github.longpollchat.testing;

import java.util.Map;
import java.util.Set;

/**
 * The protocol's error table: every error code and its HTTP status, written out here from the
 * protocol as documented (not taken from the server's own enum, so that the tests hold the server
 * to the document). The one table for every test that checks an error.
 */
public final class ProtocolErrorTable {
    /** Every error code of the protocol and its HTTP status. */
    public static final Map<String, Integer> STATUS = Map.ofEntries(
            Map.entry("malformed_body", 400),
            Map.entry("missing_field", 400),
            Map.entry("invalid_client_id", 400),
            Map.entry("invalid_name", 400),
            Map.entry("invalid_room", 400),
            Map.entry("invalid_text", 400),
            Map.entry("invalid_cursor", 400),
            Map.entry("invalid_timeout", 400),
            Map.entry("invalid_msg_id", 400),
            Map.entry("invalid_grace", 400),
            Map.entry("not_found", 404),
            Map.entry("method_not_allowed", 405),
            Map.entry("name_taken", 409),
            Map.entry("unknown_client", 410),
            Map.entry("body_too_large", 413),
            Map.entry("unsupported_media_type", 415),
            Map.entry("host_not_allowed", 421),
            Map.entry("rate_limited", 429),
            Map.entry("too_many_clients", 429),
            Map.entry("server_full", 503),
            Map.entry("store_unavailable", 503),
            Map.entry("shutting_down", 503));

    /** Every error code of the protocol. */
    public static final Set<String> CODES = STATUS.keySet();

    private ProtocolErrorTable() {
    }
}
