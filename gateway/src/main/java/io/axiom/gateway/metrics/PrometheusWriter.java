package io.axiom.gateway.metrics;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Writes the Prometheus text exposition format 0.0.4: one {@code # HELP} and {@code # TYPE} per family, then its
 * samples, with label values escaped. Refuses a family written twice, so that the output stays valid.
 */
final class PrometheusWriter
{
    /** The content type of the format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(16 * 1024);
    private final Set<String> families = new HashSet<>();

    /**
     * Start a family.
     *
     * @param name metric name.
     * @param type {@code counter}, {@code gauge}, {@code summary} or {@code untyped}.
     * @param help one line of help.
     * @return this.
     */
    PrometheusWriter family(final String name, final String type, final String help)
    {
        if (!families.add(name))
        {
            throw new IllegalStateException("metric family written twice: " + name);
        }
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
            .append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /**
     * @param name   sample name (the family's, or with a {@code _sum}/{@code _count} suffix).
     * @param value  the value.
     * @param labels label name, value pairs.
     * @return this.
     */
    PrometheusWriter sample(final String name, final double value, final String... labels)
    {
        out.append(name);
        if (labels.length > 0)
        {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2)
            {
                if (i > 0)
                {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(format(value)).append('\n');
        return this;
    }

    /**
     * Write a summary family: one sample per quantile, then {@code _sum} and {@code _count}.
     *
     * @param name      metric name.
     * @param help      one line of help.
     * @param quantiles the figures.
     * @return this.
     */
    PrometheusWriter summary(final String name, final String help, final Quantiles quantiles)
    {
        family(name, "summary", help);
        summarySamples(name, quantiles, quantiles.sum(), quantiles.count());
        return this;
    }

    /**
     * Write the samples of one summary series.
     *
     * @param name      metric name.
     * @param quantiles the figures.
     * @param sum       the {@code _sum} value.
     * @param count     the {@code _count} value.
     * @param labels    extra label name, value pairs.
     * @return this.
     */
    PrometheusWriter summarySamples(
        final String name, final Quantiles quantiles, final double sum, final long count, final String... labels)
    {
        for (int i = 0; i < quantiles.quantiles().length; i++)
        {
            final String[] withQuantile = new String[labels.length + 2];
            System.arraycopy(labels, 0, withQuantile, 0, labels.length);
            withQuantile[labels.length] = "quantile";
            withQuantile[labels.length + 1] = format(quantiles.quantiles()[i]);
            sample(name, quantiles.values()[i], withQuantile);
        }
        sample(name + "_sum", sum, labels);
        sample(name + "_count", count, labels);
        return this;
    }

    @Override
    public String toString()
    {
        return out.toString();
    }

    static String format(final double value)
    {
        if (Double.isNaN(value))
        {
            return "NaN";
        }
        if (Double.isInfinite(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            return Long.toString((long)value);
        }
        return String.format(Locale.ROOT, "%s", value);
    }

    private static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
