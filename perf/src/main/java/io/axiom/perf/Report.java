package io.axiom.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * One benchmark's section of BENCHMARKS.md: markdown built while the benchmark runs, printed to stdout and written
 * between {@code <!-- perf:NAME:begin -->} and {@code <!-- perf:NAME:end -->} markers so that re-running a benchmark
 * replaces only its own section.
 */
final class Report
{
    static final String LATENCY_HEADER =
        "| series | count | p50 | p90 | p99 | p99.9 | max | mean |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";

    private final String name;
    private final StringBuilder md = new StringBuilder();

    Report(final String name, final String title)
    {
        this.name = name;
        md.append("## ").append(title).append("\n\n");
    }

    Report line(final String text)
    {
        md.append(text).append('\n');
        System.out.println(text);
        return this;
    }

    Report raw(final String text)
    {
        md.append(text);
        System.out.print(text);
        return this;
    }

    Report blank()
    {
        return line("");
    }

    String markdown()
    {
        return md.toString();
    }

    static String us(final double nanos)
    {
        final double us = nanos / 1000.0;
        if (us >= 10_000)
        {
            return String.format(Locale.ROOT, "%,.1f ms", us / 1000.0);
        }
        if (us >= 100)
        {
            return String.format(Locale.ROOT, "%,.0f µs", us);
        }
        return String.format(Locale.ROOT, "%,.1f µs", us);
    }

    static String latencyRow(final String series, final Histogram h)
    {
        if (h.getTotalCount() == 0)
        {
            return "| " + series + " | 0 | | | | | | |\n";
        }
        return "| " + series + " | " + String.format(Locale.ROOT, "%,d", h.getTotalCount()) +
            " | " + us(h.getValueAtPercentile(50)) +
            " | " + us(h.getValueAtPercentile(90)) +
            " | " + us(h.getValueAtPercentile(99)) +
            " | " + us(h.getValueAtPercentile(99.9)) +
            " | " + us(h.getMaxValue()) +
            " | " + us(h.getMean()) + " |\n";
    }

    static String num(final double value)
    {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    static String dec(final double value, final int digits)
    {
        return String.format(Locale.ROOT, "%,." + digits + "f", value);
    }

    /**
     * Replace (or append) this report's section of file, creating the file with a preamble when missing.
     */
    void writeTo(final Path file)
    {
        if (null == file)
        {
            return;
        }
        final String begin = "<!-- perf:" + name + ":begin -->";
        final String end = "<!-- perf:" + name + ":end -->";
        final String section = begin + "\n" + md + end + "\n";
        try
        {
            String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : preamble();
            final int b = text.indexOf(begin);
            final int e = text.indexOf(end);
            if (b >= 0 && e > b)
            {
                int after = e + end.length();
                if (after < text.length() && text.charAt(after) == '\n')
                {
                    after++;
                }
                text = text.substring(0, b) + section + text.substring(after);
            }
            else
            {
                text = text + (text.endsWith("\n\n") ? "" : "\n") + section;
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
            System.out.println("[perf] wrote section '" + name + "' of " + file.toAbsolutePath());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot update " + file, ex);
        }
    }

    private static String preamble()
    {
        return "# Axiom benchmarks\n\n" +
            "Measured by the perf harness (`perf/`, `io.axiom.perf.PerfMain`), never asserted in a timed test. Every " +
            "section below is written by the harness itself from one run on the machine it names; re-run with " +
            "`bin/axiom perf <journal|core|recovery|memory|all>` (or `java -cp perf/target/axiom-perf-0.1.0-" +
            "SNAPSHOT.jar:perf/target/lib/* io.axiom.perf.PerfMain <sub>`) to replace a section.\n";
    }
}
