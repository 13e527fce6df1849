package io.github.longpollchat.protocol;

import java.util.concurrent.atomic.AtomicInteger;

/** Room names no other test uses, made from the calling test method's name. */
final class Unique {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Unique() {
    }

    /** A fresh room: up to 24 characters of the caller's method name, a dash and a number. */
    static String room() {
        String caller = StackWalker.getInstance()
                .walk(frames -> frames.skip(1).findFirst().map(StackWalker.StackFrame::getMethodName).orElse("r"))
                .replaceAll("[^A-Za-z0-9_]", "");
        if (caller.isEmpty()) {
            caller = "r";
        }
        String prefix = caller.length() > 24 ? caller.substring(0, 24) : caller;
        return prefix + "-" + COUNTER.incrementAndGet();
    }
}
