package io.axiom.gateway.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Formats one log record as one line, in text or as a JSON object, whatever the message holds: line breaks and other
 * control characters are escaped ({@code \n}, {@code \t}, {@code \u0007}), so an event is always one line and a
 * client-supplied text (a path, a refused value) can never forge a line of its own.
 * <p>
 * Text: {@code 2026-11-30T10:15:02.123Z INFO  server   Axiom ready: ...}: the time in UTC with milliseconds, the
 * level padded to 5, the source padded to 8, the message, and for an exception {@code  | error=CLASS: MESSAGE} and
 * its stack trace, escaped on the same line. The source is the logger name's last part ({@code axiom.recovery}:
 * {@code recovery}; {@code io.axiom.gateway.http.Gateway}: {@code Gateway}).
 * <p>
 * JSON: {@code {"ts":"...","level":"INFO","logger":"axiom.server","msg":"..."}}, with
 * {@code "error":{"class":"...","message":"...","stack":"..."}} when the record carries an exception.
 * <p>
 * Stateless and thread-safe. The time zone is UTC, which needs no time-zone data (no file) to format.
 */
public final class LineFormatter extends Formatter
{
    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int SOURCE_WIDTH = 8;

    private final LogFormat format;

    /**
     * @param format text or JSON.
     */
    public LineFormatter(final LogFormat format)
    {
        this.format = format;
    }

    @Override
    public String format(final LogRecord record)
    {
        final String message = formatMessage(record);
        final String time = timestamp(record.getInstant());
        final String level = LogLevel.nameOf(record.getLevel());
        final String logger = null == record.getLoggerName() ? "" : record.getLoggerName();
        final Throwable thrown = record.getThrown();
        final StringBuilder line = new StringBuilder(96 + message.length());
        if (format == LogFormat.JSON)
        {
            line.append("{\"ts\":\"").append(time).append("\",\"level\":\"").append(level).append("\",\"logger\":");
            jsonString(line, logger);
            line.append(",\"msg\":");
            jsonString(line, message);
            if (null != thrown)
            {
                line.append(",\"error\":{\"class\":");
                jsonString(line, thrown.getClass().getName());
                line.append(",\"message\":");
                jsonString(line, null == thrown.getMessage() ? "" : thrown.getMessage());
                line.append(",\"stack\":");
                jsonString(line, stackTrace(thrown));
                line.append('}');
            }
            line.append('}');
        }
        else
        {
            line.append(time).append(' ').append(level);
            pad(line, 6 - level.length());
            final String source = source(logger);
            line.append(source);
            pad(line, Math.max(1, SOURCE_WIDTH + 1 - source.length()));
            escapeControls(line, message);
            if (null != thrown)
            {
                line.append(" | error=");
                escapeControls(line, stackTrace(thrown).stripTrailing());
            }
        }
        return line.append('\n').toString();
    }

    /**
     * @param instant a moment.
     * @return it as {@code 2026-11-30T10:15:02.123Z}.
     */
    public static String timestamp(final Instant instant)
    {
        return TIME.format(instant);
    }

    /**
     * @param logger a logger name.
     * @return its short form: the part after the last dot.
     */
    public static String source(final String logger)
    {
        final int dot = logger.lastIndexOf('.');
        return dot < 0 ? logger : logger.substring(dot + 1);
    }

    private static String stackTrace(final Throwable thrown)
    {
        final StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text))
        {
            thrown.printStackTrace(out);
        }
        return text.toString();
    }

    private static void pad(final StringBuilder line, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            line.append(' ');
        }
    }

    private static void escapeControls(final StringBuilder line, final String text)
    {
        for (int i = 0, n = text.length(); i < n; i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default ->
                {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029')
                    {
                        unicodeEscape(line, c);
                    }
                    else
                    {
                        line.append(c);
                    }
                }
            }
        }
    }

    private static void jsonString(final StringBuilder line, final String text)
    {
        line.append('"');
        for (int i = 0, n = text.length(); i < n; i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default ->
                {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' ||
                        (Character.isSurrogate(c) && !pairedSurrogate(text, i)))
                    {
                        unicodeEscape(line, c);
                    }
                    else
                    {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }

    private static boolean pairedSurrogate(final String text, final int i)
    {
        final char c = text.charAt(i);
        if (Character.isHighSurrogate(c))
        {
            return i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }

    private static void unicodeEscape(final StringBuilder line, final char c)
    {
        line.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
            .append(HEX[c & 0xf]);
    }
}
