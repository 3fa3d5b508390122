package io.axiom.gateway.log;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One event is one line, in text and in JSON, whatever its message or exception holds.
 */
class LineFormatterTest
{
    /** The text line: UTC time with milliseconds, level, source, message. */
    static final Pattern TEXT_LINE = Pattern.compile(
        "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z (ERROR|WARN |INFO |DEBUG|TRACE) \\S+ +\\S.*");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] SPECIAL = {"\"", "\\", "\u2029", "\u00e9", "\ud83d\ude00", "\u007f"};
    private static final Instant AT = Instant.parse("2026-11-30T10:15:02.120Z");

    private final LineFormatter text = new LineFormatter(LogFormat.TEXT);
    private final LineFormatter json = new LineFormatter(LogFormat.JSON);

    @Test
    void textLineHasTimeLevelSourceAndMessage()
    {
        assertEquals("2026-11-30T10:15:02.120Z INFO  server   Axiom ready: 0 events recovered\n",
            text.format(record(Level.INFO, "axiom.server", "Axiom ready: 0 events recovered", null)));
        assertEquals("2026-11-30T10:15:02.120Z WARN  Gateway  slow\n",
            text.format(record(Level.WARNING, "io.axiom.gateway.http.Gateway", "slow", null)));
        assertEquals("2026-11-30T10:15:02.120Z DEBUG http     GET /x 404 ROUTE_NOT_FOUND\n",
            text.format(record(Level.FINE, "axiom.http", "GET /x 404 ROUTE_NOT_FOUND", null)));
        assertEquals("2026-11-30T10:15:02.120Z ERROR recovery x\n",
            text.format(record(Level.SEVERE, "axiom.recovery", "x", null)));
        assertEquals("2026-11-30T10:15:02.120Z ERROR listener1 x\n",
            text.format(record(Level.SEVERE, "axiom.listener1", "x", null)), "a long source still leaves a space");
        assertTrue(TEXT_LINE.matcher(text.format(record(Level.INFO, "axiom.server", "m", null)).strip()).matches());
    }

    @Test
    void levelsAreNamedAsOperatorsChooseThem()
    {
        assertEquals("ERROR", LogLevel.nameOf(Level.SEVERE));
        assertEquals("WARN", LogLevel.nameOf(Level.WARNING));
        assertEquals("INFO", LogLevel.nameOf(Level.INFO));
        assertEquals("DEBUG", LogLevel.nameOf(Level.CONFIG));
        assertEquals("DEBUG", LogLevel.nameOf(Level.FINE));
        assertEquals("TRACE", LogLevel.nameOf(Level.FINER));
        assertEquals(LogLevel.DEBUG, LogLevel.of("DEBUG"));
        assertEquals(LogFormat.JSON, LogFormat.of("Json"));
        assertThrows(IllegalArgumentException.class, () -> LogLevel.of("verbose"));
        assertThrows(IllegalArgumentException.class, () -> LogFormat.of("xml"));
    }

    @Test
    void jsonLineHasTheFields() throws IOException
    {
        final String line = json.format(record(Level.INFO, "axiom.server", "Axiom listening on http://127.0.0.1:1",
            null));
        assertTrue(line.endsWith("}\n"), line);
        assertEquals(1, line.lines().count(), line);
        final JsonNode node = JSON.readTree(line);
        assertEquals("2026-11-30T10:15:02.120Z", node.get("ts").asText());
        assertEquals("INFO", node.get("level").asText());
        assertEquals("axiom.server", node.get("logger").asText());
        assertEquals("Axiom listening on http://127.0.0.1:1", node.get("msg").asText());
        assertFalse(node.has("error"), line);
    }

    @Test
    void anExceptionStaysOnTheLine() throws IOException
    {
        final IllegalStateException ex = new IllegalStateException("boom \"quoted\"\nsecond line",
            new java.io.IOException("disk"));
        final String jsonLine = json.format(record(Level.SEVERE, "axiom.engine", "processor stopped", ex));
        assertEquals(1, jsonLine.lines().count(), jsonLine);
        final JsonNode error = JSON.readTree(jsonLine).get("error");
        assertEquals("java.lang.IllegalStateException", error.get("class").asText());
        assertEquals("boom \"quoted\"\nsecond line", error.get("message").asText());
        final String stack = error.get("stack").asText();
        assertTrue(stack.startsWith("java.lang.IllegalStateException: boom"), stack);
        assertTrue(stack.contains("\tat io.axiom.gateway.log.LineFormatterTest"), stack);
        assertTrue(stack.contains("Caused by: java.io.IOException: disk"), stack);

        final String textLine = text.format(record(Level.SEVERE, "axiom.engine", "processor stopped", ex));
        assertEquals(1, textLine.lines().count(), textLine);
        assertTrue(textLine.startsWith("2026-11-30T10:15:02.120Z ERROR engine   processor stopped | error=" +
            "java.lang.IllegalStateException: boom \"quoted\"\\nsecond line\\n\\tat io.axiom.gateway.log."), textLine);
        assertTrue(textLine.contains("\\nCaused by: java.io.IOException: disk"), textLine);
    }

    @Test
    void controlCharactersCannotForgeALine() throws IOException
    {
        final String forged = "GET /a\r\n2026-11-30T10:15:02.120Z ERROR server   fake\u2028\u0007\ttab \\ \"q\" \ud800";
        final String textLine = text.format(record(Level.FINE, "axiom.http", forged, null));
        assertEquals("2026-11-30T10:15:02.120Z DEBUG http     GET /a\\r\\n2026-11-30T10:15:02.120Z ERROR server   " +
            "fake\\u2028\\u0007\\ttab \\ \"q\" \ud800\n", textLine);
        final String jsonLine = json.format(record(Level.FINE, "axiom.http", forged, null));
        assertEquals(1, jsonLine.lines().count(), jsonLine);
        assertTrue(jsonLine.contains("\\ud800"), jsonLine);
        assertEquals(forged.replace("\ud800", "\ufffd"), JSON.readTree(jsonLine).get("msg").asText()
            .replace("\ud800", "\ufffd"));
    }

    @Test
    void randomMessagesAreOneLineAndRoundTripInJson() throws IOException
    {
        final long seed = System.nanoTime();
        System.out.println("LineFormatterTest seed " + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 2_000; i++)
        {
            final StringBuilder message = new StringBuilder();
            for (int c = random.nextInt(40); c > 0; c--)
            {
                final int kind = random.nextInt(4);
                if (0 == kind)
                {
                    message.append((char)random.nextInt(0x20));
                }
                else if (1 == kind)
                {
                    message.append(SPECIAL[random.nextInt(SPECIAL.length)]);
                }
                else
                {
                    message.append((char)(0x20 + random.nextInt(0x5f)));
                }
            }
            final String msg = message.toString();
            final String textLine = text.format(record(Level.INFO, "axiom.server", msg, null));
            assertEquals(1, textLine.lines().count(), "seed " + seed + ": " + textLine);
            assertTrue(TEXT_LINE.matcher(textLine.substring(0, textLine.length() - 1)).matches() || msg.isBlank(),
                "seed " + seed + ": " + textLine);
            final String jsonLine = json.format(record(Level.INFO, "axiom.server", msg, null));
            assertEquals(1, jsonLine.lines().count(), "seed " + seed + ": " + jsonLine);
            assertEquals(msg, JSON.readTree(jsonLine).get("msg").asText(), "seed " + seed);
        }
    }

    @Test
    void messageParametersAreFormatted()
    {
        final LogRecord record = record(Level.INFO, "axiom.server", "read failure #{0} of {1}", null);
        record.setParameters(new Object[] {3, "x"});
        assertTrue(text.format(record).endsWith("read failure #3 of x\n"), text.format(record));
    }

    @Test
    void installedLogWritesEveryLoggerThroughItAndPutsBackWhatWasThere()
    {
        final Logger root = Logger.getLogger("");
        final int handlersBefore = root.getHandlers().length;
        final StringWriter out = new StringWriter();
        final System.Logger axiom = System.getLogger("axiom.test");
        final System.Logger library = System.getLogger("org.example.Library");
        try (ServerLog log = ServerLog.install(new PrintWriter(out), LogFormat.TEXT, LogLevel.DEBUG))
        {
            axiom.log(System.Logger.Level.DEBUG, "axiom debug");
            library.log(System.Logger.Level.DEBUG, "library debug");
            library.log(System.Logger.Level.INFO, "library info");
            log.log(Level.INFO, "axiom.server", "direct");
            assertTrue(log.isLoggable(Level.FINE));
        }
        axiom.log(System.Logger.Level.INFO, "after close");
        final String written = out.toString();
        assertTrue(written.contains(" DEBUG test     axiom debug\n"), written);
        assertFalse(written.contains("library debug"), "other libraries stay at INFO at most: " + written);
        assertTrue(written.contains(" INFO  Library  library info\n"), written);
        assertTrue(written.contains(" INFO  server   direct\n"), written);
        assertFalse(written.contains("after close"), written);
        written.lines().forEach(l -> assertTrue(TEXT_LINE.matcher(l).matches(), l));
        assertEquals(handlersBefore, root.getHandlers().length);

        final StringWriter quiet = new StringWriter();
        try (ServerLog log = ServerLog.install(new PrintWriter(quiet), LogFormat.JSON, LogLevel.WARN))
        {
            library.log(System.Logger.Level.INFO, "not at warn");
            axiom.log(System.Logger.Level.INFO, "not at warn either");
            axiom.log(System.Logger.Level.WARNING, "warned");
            log.log(Level.INFO, "axiom.server", "direct info");
            assertFalse(log.isLoggable(Level.INFO));
        }
        assertEquals(1, quiet.toString().lines().count(), quiet.toString());
        assertTrue(quiet.toString().contains("\"msg\":\"warned\""), quiet.toString());
    }

    private static LogRecord record(final Level level, final String logger, final String message, final Throwable t)
    {
        final LogRecord record = new LogRecord(level, message);
        record.setLoggerName(logger);
        record.setInstant(AT);
        record.setThrown(t);
        return record;
    }
}
