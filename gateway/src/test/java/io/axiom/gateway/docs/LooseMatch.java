package io.axiom.gateway.docs;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Compares what an example printed with what the README shows, loosely but not vaguely:
 * <ul>
 * <li>Lines are compared in order; blank lines are ignored on both sides.</li>
 * <li>Within a line, {@code ...} stands for any text (possibly none); the rest must be equal.</li>
 * <li>A line that is only {@code ...} stands for any number of lines.</li>
 * <li>HTTP header lines (after an {@code HTTP/1.1 ...} status line, up to the blank line) that the README does not
 * show are skipped; the status line and every body line must be accounted for.</li>
 * </ul>
 * For WebSocket messages, {@link #subset} compares JSON: what the README shows must be present with equal values.
 */
final class LooseMatch
{
    private static final String ELLIPSIS = "...";
    private static final Pattern STATUS_LINE = Pattern.compile("^HTTP/\\d(\\.\\d)? \\d{3}.*");

    private LooseMatch()
    {
    }

    /**
     * An output line and whether the matcher may pass over it.
     */
    private record Line(String text, boolean skippable)
    {
    }

    /**
     * @param expected the README's output block.
     * @param actual   what the example printed.
     * @return true when the output fits the block.
     */
    static boolean matches(final String expected, final String actual)
    {
        final List<String> patterns = expected.lines().map(String::stripTrailing).filter(l -> !l.isBlank()).toList();
        final List<Line> lines = lines(actual);
        final Boolean[][] memo = new Boolean[patterns.size() + 1][lines.size() + 1];
        return match(patterns, 0, lines, 0, memo);
    }

    /**
     * @param pattern one expected line, {@code ...} standing for any text.
     * @param line    one actual line.
     * @return true when the line fits.
     */
    static boolean lineMatches(final String pattern, final String line)
    {
        final StringBuilder regex = new StringBuilder();
        int from = 0;
        int at;
        while ((at = pattern.indexOf(ELLIPSIS, from)) >= 0)
        {
            regex.append(Pattern.quote(pattern.substring(from, at))).append(".*");
            from = at + ELLIPSIS.length();
        }
        regex.append(Pattern.quote(pattern.substring(from)));
        return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(line).matches();
    }

    /**
     * @param expected what the README shows.
     * @param actual   what arrived.
     * @return true when every member shown is present with an equal value (objects recursively; arrays element by
     * element, of equal length).
     */
    static boolean subset(final JsonNode expected, final JsonNode actual)
    {
        if (null == actual)
        {
            return false;
        }
        if (expected.isObject())
        {
            if (!actual.isObject())
            {
                return false;
            }
            final Iterator<Map.Entry<String, JsonNode>> fields = expected.fields();
            while (fields.hasNext())
            {
                final Map.Entry<String, JsonNode> f = fields.next();
                if (!subset(f.getValue(), actual.get(f.getKey())))
                {
                    return false;
                }
            }
            return true;
        }
        if (expected.isArray())
        {
            if (!actual.isArray() || actual.size() != expected.size())
            {
                return false;
            }
            for (int i = 0; i < expected.size(); i++)
            {
                if (!subset(expected.get(i), actual.get(i)))
                {
                    return false;
                }
            }
            return true;
        }
        if (expected.isNumber() && actual.isNumber())
        {
            return expected.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return expected.equals(actual);
    }

    private static List<Line> lines(final String actual)
    {
        final List<Line> lines = new ArrayList<>();
        boolean inHeaders = false;
        for (final String raw : actual.replace("\r\n", "\n").split("\n", -1))
        {
            final String line = raw.stripTrailing();
            if (line.isBlank())
            {
                inHeaders = false;
                continue;
            }
            if (STATUS_LINE.matcher(line).matches())
            {
                lines.add(new Line(line, false));
                inHeaders = true;
                continue;
            }
            lines.add(new Line(line, inHeaders));
        }
        return lines;
    }

    private static boolean match(
        final List<String> patterns, final int p, final List<Line> lines, final int l, final Boolean[][] memo)
    {
        if (null != memo[p][l])
        {
            return memo[p][l];
        }
        final boolean result;
        if (p == patterns.size())
        {
            result = lines.subList(l, lines.size()).stream().allMatch(Line::skippable);
        }
        else if (ELLIPSIS.equals(patterns.get(p).strip()))
        {
            boolean any = false;
            for (int k = l; k <= lines.size() && !any; k++)
            {
                any = match(patterns, p + 1, lines, k, memo);
            }
            result = any;
        }
        else if (l == lines.size())
        {
            result = false;
        }
        else
        {
            final Line line = lines.get(l);
            result = (lineMatches(patterns.get(p), line.text()) && match(patterns, p + 1, lines, l + 1, memo)) ||
                (line.skippable() && match(patterns, p, lines, l + 1, memo));
        }
        memo[p][l] = result;
        return result;
    }
}
