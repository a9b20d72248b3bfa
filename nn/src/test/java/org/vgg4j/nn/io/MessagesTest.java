package org.vgg4j.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MessagesTest {
    @Test
    void libraryExceptionsLoseTheirClassNamesAndSecondLines() {
        var gson = new RuntimeException("com.google.gson.stream.MalformedJsonException: Unterminated object at line 1"
            + " column 84 path $.a\nSee https://github.com/google/gson/blob/main/Troubleshooting.md#malformed-json");
        assertEquals("Unterminated object at line 1 column 84 path $.a", Messages.reason(gson));
        assertEquals("not a number: \"x1\"", Messages.reason(new NumberFormatException("For input string: \"x1\"")));
        assertEquals("not a number: \"4\"", Messages.reason(new IllegalStateException(
            "java.lang.NumberFormatException: For input string: \"4\"")));
        assertEquals("a required entry is missing", Messages.reason(new NullPointerException("Cannot invoke")));
        assertEquals("a size or index is out of range",
            Messages.reason(new ArrayIndexOutOfBoundsException("Index 5 out of bounds for length 3")));
        assertEquals("unreadable", Messages.reason(new IllegalStateException()));
    }

    @Test
    void fileContentIsQuotedOnOneLine() {
        assertEquals("dtype 'F\\n32\\u0007' unknown", Messages.oneLine("dtype 'F\n32\u0007' unknown"));
        String longText = "x".repeat(5000);
        assertEquals(403, Messages.oneLine(longText).length());
        var e = new ModelFileException(java.nio.file.Path.of("m"), "tensor 'a\r\nb'");
        assertEquals("m: tensor 'a\\n\\nb'", e.getMessage());
    }
}
