package org.vgg4j.nn.io;

import java.util.regex.Pattern;

/**
 * Error messages about untrusted input are one line of words: what a file contains (a tensor
 * name, a dtype) is quoted without its control characters, and a library's exception becomes its
 * reason without Java's class names or a second line.
 */
public final class Messages {
    private Messages() {}

    private static final int MAX = 400;
    private static final Pattern CLASS_PREFIX = Pattern.compile("^(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*: ");

    /** {@code text} on one line: control characters escaped, at most a few hundred characters. */
    public static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX + 16));
        for (int i = 0; i < text.length() && b.length() < MAX; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                b.append("\\n");
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() >= MAX && text.length() > MAX) {
            b.append("...");
        }
        return b.toString();
    }

    /**
     * Why {@code e} failed, in words: its message's first line without the class names a
     * library puts in front (Gson's "com.google.gson.stream.MalformedJsonException: ..."), or,
     * for the JDK's unchecked failures whose text is Java's (an index out of bounds, a null), a
     * plain description.
     */
    public static String reason(Throwable e) {
        if (e instanceof NullPointerException) {
            return "a required entry is missing";
        }
        if (e instanceof IndexOutOfBoundsException || e instanceof NegativeArraySizeException) {
            return "a size or index is out of range";
        }
        if (e instanceof ArithmeticException) {
            return "a size is out of range";
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return "unreadable";
        }
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl);
        }
        for (String prev = null; !m.equals(prev); ) {
            prev = m;
            m = CLASS_PREFIX.matcher(m).replaceFirst("");
        }
        if (m.startsWith("For input string: ")) {
            m = "not a number: " + m.substring("For input string: ".length());
        }
        return oneLine(m.strip());
    }
}
