package io.github.longpollchat.hub;

/**
 * The rule for message text: stripped, line ends made {@code \n}, then 1 to max-text code points
 * with no control characters other than newline and tab.
 */
public final class MessageText {
    private MessageText() {
    }

    /**
     * @return the text as it is stored and sent
     * @throws Refusal {@code invalid_text} when the text breaks the rule
     */
    public static String parse(String raw, int maxCodePoints) {
        String text = raw.strip().replace("\r\n", "\n").replace('\r', '\n');
        int length = text.codePointCount(0, text.length());
        if (length < 1) {
            throw Reason.INVALID_TEXT.refusal("The text is empty.");
        }
        if (length > maxCodePoints) {
            throw Reason.INVALID_TEXT.refusal("The text is over " + maxCodePoints + " characters.");
        }
        boolean bad = text.codePoints().anyMatch(c ->
                Character.getType(c) == Character.CONTROL && c != '\n' && c != '\t');
        if (bad) {
            throw Reason.INVALID_TEXT.refusal("The text must not contain control characters.");
        }
        return text;
    }
}
