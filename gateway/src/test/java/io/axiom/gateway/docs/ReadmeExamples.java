package io.axiom.gateway.docs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the runnable examples of a Markdown document (the README) and what each is expected to print.
 * <p>
 * The rules, which the README states in its own words:
 * <ul>
 * <li>Every {@code ```sh} block is an example: its commands run in order, in one {@code bash}, against a fresh
 * server ({@code localhost:4000} becomes the test server's address, and {@code AXIOM_SERVER} points
 * {@code bin/axiom} at it). Each command must exit 0 unless the marker says {@code exit=N} (one value for all, or
 * one per command, comma-separated).</li>
 * <li>Every {@code ```graphql} block is an example: the test posts it to {@code /graphql} as the query.</li>
 * <li>A {@code ```text} block whose marker has {@code ws=PATH} is a WebSocket transcript: {@code > MSG} is sent,
 * {@code < MSG} must be the next message received (its JSON members a subset of the message's), {@code $ CMD} runs a
 * shell command.</li>
 * <li>The block right after an example (only blank lines between), when it is {@code ```}, {@code ```json} or
 * {@code ```text} without a marker, is its expected output, compared loosely by {@link LooseMatch}.</li>
 * <li>A marker is an HTML comment on the nearest non-blank line above the block:
 * {@code <!-- docs-test: needs=MODULE server-flags="--k=v" exit=1 -->}, or {@code <!-- docs-test: skip="why" -->}
 * for a block that must not run (it starts a server, runs the whole build...).</li>
 * </ul>
 */
final class ReadmeExamples
{
    /** Modules an example may need; the default is {@code core} (REST API and {@code bin/axiom}). */
    static final Set<String> MODULES =
        Set.of("core", "cli", "graphql", "graphiql", "console", "metrics", "openapi", "auth", "chaos", "verify");

    private static final Pattern FENCE = Pattern.compile("^```(\\w*)\\s*$");
    private static final Pattern MARKER = Pattern.compile("^<!--\\s*docs-test:(.*?)-->\\s*$");
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-z-]+)=(\"[^\"]*\"|\\S+)");

    /** How an example runs. */
    enum Kind
    {
        /** Shell commands. */
        SHELL,
        /** A GraphQL document posted to {@code /graphql}. */
        GRAPHQL,
        /** A WebSocket transcript. */
        WEBSOCKET
    }

    /**
     * A fenced block.
     *
     * @param lang      the fence's language, possibly empty.
     * @param line      1-based line of the opening fence.
     * @param endLine   1-based line of the closing fence.
     * @param text      the content.
     * @param marker    the marker's attributes, or null without a marker.
     */
    record Block(String lang, int line, int endLine, String text, Map<String, String> marker)
    {
    }

    /**
     * One runnable (or deliberately skipped) example.
     *
     * @param kind     how it runs.
     * @param line     1-based line of its opening fence.
     * @param text     the block's content.
     * @param expected the expected output, or null when none is shown.
     * @param attrs    the marker's attributes (empty without a marker).
     */
    record Example(Kind kind, int line, String text, String expected, Map<String, String> attrs)
    {
        /**
         * @return the module the example needs.
         */
        String needs()
        {
            return attrs.getOrDefault("needs", "core");
        }

        /**
         * @return why the example is not run, or null when it runs.
         */
        String skip()
        {
            return attrs.get("skip");
        }

        /**
         * @return extra flags of the server it runs against; empty for the default server.
         */
        String serverFlags()
        {
            return attrs.getOrDefault("server-flags", "");
        }

        /**
         * @param commands how many commands the example has.
         * @return the exit status expected of each command.
         */
        int[] exits(final int commands)
        {
            final String raw = attrs.getOrDefault("exit", "0");
            final String[] parts = raw.split(",");
            final int[] exits = new int[commands];
            for (int i = 0; i < commands; i++)
            {
                exits[i] = Integer.parseInt(parts[parts.length == 1 ? 0 : i].trim());
            }
            if (parts.length != 1 && parts.length != commands)
            {
                throw new IllegalArgumentException("README line " + line + ": exit=" + raw + " names " +
                    parts.length + " statuses for " + commands + " commands");
            }
            return exits;
        }

        /**
         * @return a short name for the test report.
         */
        String title()
        {
            final String first = text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).findFirst().orElse("");
            final String clipped = first.length() > 80 ? first.substring(0, 77) + "..." : first;
            return "README:" + line + " [" + needs() + "] " + clipped;
        }
    }

    private ReadmeExamples()
    {
    }

    /**
     * @param markdown the document.
     * @return its fenced blocks, in order.
     */
    static List<Block> blocks(final String markdown)
    {
        final List<String> lines = markdown.lines().toList();
        final List<Block> blocks = new ArrayList<>();
        Map<String, String> pendingMarker = null;
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            final Matcher marker = MARKER.matcher(line.trim());
            final Matcher fence = FENCE.matcher(line);
            if (marker.matches())
            {
                pendingMarker = attributes(marker.group(1), i + 1);
            }
            else if (fence.matches())
            {
                final int start = i;
                final StringBuilder text = new StringBuilder();
                i++;
                while (i < lines.size() && !lines.get(i).startsWith("```"))
                {
                    text.append(lines.get(i)).append('\n');
                    i++;
                }
                if (i == lines.size())
                {
                    throw new IllegalArgumentException("README line " + (start + 1) + ": fence is never closed");
                }
                blocks.add(new Block(fence.group(1), start + 1, i + 1, text.toString(), pendingMarker));
                pendingMarker = null;
            }
            else if (!line.isBlank())
            {
                pendingMarker = null;
            }
        }
        return blocks;
    }

    /**
     * @param markdown the document.
     * @return its examples, in order, skipped ones included.
     */
    static List<Example> examples(final String markdown)
    {
        final List<String> lines = markdown.lines().toList();
        final List<Block> blocks = blocks(markdown);
        final List<Example> examples = new ArrayList<>();
        for (int b = 0; b < blocks.size(); b++)
        {
            final Block block = blocks.get(b);
            final Map<String, String> attrs = null == block.marker() ? Map.of() : block.marker();
            final Kind kind;
            if ("sh".equals(block.lang()))
            {
                kind = Kind.SHELL;
            }
            else if ("graphql".equals(block.lang()))
            {
                kind = Kind.GRAPHQL;
            }
            else if ("text".equals(block.lang()) && attrs.containsKey("ws"))
            {
                kind = Kind.WEBSOCKET;
            }
            else
            {
                continue;
            }
            String expected = null;
            if (kind != Kind.WEBSOCKET && b + 1 < blocks.size())
            {
                final Block next = blocks.get(b + 1);
                final boolean adjacent = lines.subList(block.endLine(), next.line() - 1).stream()
                    .allMatch(String::isBlank);
                if (adjacent && null == next.marker() && Set.of("", "json", "text").contains(next.lang()))
                {
                    expected = next.text();
                    b++;
                }
            }
            examples.add(new Example(kind, block.line(), block.text(), expected, attrs));
        }
        return examples;
    }

    /**
     * @param script a shell example.
     * @return its commands: lines joined across trailing backslashes, comments and blank lines left out.
     */
    static List<String> commands(final String script)
    {
        final List<String> commands = new ArrayList<>();
        final StringBuilder current = new StringBuilder();
        for (final String line : script.lines().toList())
        {
            if (current.isEmpty() && (line.isBlank() || line.trim().startsWith("#")))
            {
                continue;
            }
            current.append(line);
            if (line.endsWith("\\"))
            {
                current.append('\n');
            }
            else
            {
                commands.add(current.toString());
                current.setLength(0);
            }
        }
        if (!current.isEmpty())
        {
            commands.add(current.toString());
        }
        return commands;
    }

    private static Map<String, String> attributes(final String text, final int line)
    {
        final Map<String, String> attrs = new LinkedHashMap<>();
        final Matcher m = ATTRIBUTE.matcher(text);
        int end = 0;
        while (m.find())
        {
            if (!text.substring(end, m.start()).isBlank())
            {
                throw new IllegalArgumentException("README line " + line + ": cannot read marker '" + text + "'");
            }
            final String value = m.group(2);
            attrs.put(m.group(1), value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
            end = m.end();
        }
        if (!text.substring(end).isBlank())
        {
            throw new IllegalArgumentException("README line " + line + ": cannot read marker '" + text + "'");
        }
        return attrs;
    }
}
