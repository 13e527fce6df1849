package io.github.longpollchat.hub;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A client's last {@value #REMEMBERED} {@code msgId}s with the id each send got, so that a retried
 * send returns the first result instead of posting twice. Not thread-safe; guarded by the room
 * lock.
 */
final class SentKeys {
    static final int REMEMBERED = 256;

    private final Map<String, Long> ids = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** @return the id the first send with this key got, or null */
    Long find(String msgId) {
        return msgId == null ? null : ids.get(msgId);
    }

    void remember(String msgId, long id) {
        if (msgId != null) {
            ids.put(msgId, id);
        }
    }
}
