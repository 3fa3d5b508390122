package io.axiom.perf;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Command-line options of the harness: {@code --name value} or {@code --name=value}, plus bare flags.
 */
final class Options
{
    private final Map<String, String> values = new HashMap<>();

    static Options parse(final String[] args, final int from)
    {
        final Options options = new Options();
        for (int i = from; i < args.length; i++)
        {
            final String arg = args[i];
            if (!arg.startsWith("--"))
            {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'; options look like --name value");
            }
            final String body = arg.substring(2);
            final int eq = body.indexOf('=');
            if (eq >= 0)
            {
                options.values.put(body.substring(0, eq), body.substring(eq + 1));
            }
            else if (i + 1 < args.length && !args[i + 1].startsWith("--"))
            {
                options.values.put(body, args[++i]);
            }
            else
            {
                options.values.put(body, "true");
            }
        }
        return options;
    }

    boolean has(final String name)
    {
        return values.containsKey(name);
    }

    String string(final String name, final String defaultValue)
    {
        return values.getOrDefault(name, defaultValue);
    }

    int integer(final String name, final int defaultValue)
    {
        final String v = values.get(name);
        return null == v ? defaultValue : Integer.parseInt(v.replace("_", ""));
    }

    long longValue(final String name, final long defaultValue)
    {
        final String v = values.get(name);
        return null == v ? defaultValue : Long.parseLong(v.replace("_", ""));
    }

    double decimal(final String name, final double defaultValue)
    {
        final String v = values.get(name);
        return null == v ? defaultValue : Double.parseDouble(v);
    }

    boolean flag(final String name, final boolean defaultValue)
    {
        final String v = values.get(name);
        return null == v ? defaultValue : Boolean.parseBoolean(v);
    }

    int[] integers(final String name, final int[] defaultValue)
    {
        final String v = values.get(name);
        if (null == v)
        {
            return defaultValue;
        }
        final String[] parts = v.split(",");
        final int[] result = new int[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            result[i] = Integer.parseInt(parts[i].trim().replace("_", ""));
        }
        return result;
    }

    Path path(final String name)
    {
        final String v = values.get(name);
        return null == v ? null : Path.of(v);
    }
}
