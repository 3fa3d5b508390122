package io.axiom.gateway.log;

import java.util.Locale;

/**
 * How a log line is written: {@code log.format}.
 */
public enum LogFormat
{
    /** {@code TIMESTAMP LEVEL SOURCE MESSAGE}, columns separated by spaces. */
    TEXT,
    /** One JSON object per line: {@code ts}, {@code level}, {@code logger}, {@code msg} and {@code error}. */
    JSON;

    /**
     * @param name {@code text} or {@code json}, any case.
     * @return the format.
     * @throws IllegalArgumentException for any other name.
     */
    public static LogFormat of(final String name)
    {
        return switch (name.toLowerCase(Locale.ROOT))
        {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("log format must be text or json, not '" + name + "'");
        };
    }
}
