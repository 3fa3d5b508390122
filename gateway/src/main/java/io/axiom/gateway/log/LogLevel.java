package io.axiom.gateway.log;

import java.util.Locale;
import java.util.logging.Level;

/**
 * The levels an operator chooses from ({@code log.level}) and the names lines carry, mapped onto
 * {@code java.util.logging}: {@code System.Logger}'s ERROR, WARNING, INFO, DEBUG and TRACE arrive as SEVERE,
 * WARNING, INFO, FINE and FINER.
 */
public enum LogLevel
{
    ERROR(Level.SEVERE),
    WARN(Level.WARNING),
    INFO(Level.INFO),
    DEBUG(Level.FINE);

    private final Level julLevel;

    LogLevel(final Level julLevel)
    {
        this.julLevel = julLevel;
    }

    /**
     * @return the least severe {@code java.util.logging} level this level lets through.
     */
    public Level julLevel()
    {
        return julLevel;
    }

    /**
     * @param name {@code error}, {@code warn}, {@code info} or {@code debug}, any case.
     * @return the level.
     * @throws IllegalArgumentException for any other name.
     */
    public static LogLevel of(final String name)
    {
        return switch (name.toLowerCase(Locale.ROOT))
        {
            case "error" -> ERROR;
            case "warn" -> WARN;
            case "info" -> INFO;
            case "debug" -> DEBUG;
            default -> throw new IllegalArgumentException(
                "log level must be error, warn, info or debug, not '" + name + "'");
        };
    }

    /**
     * @param level a {@code java.util.logging} level.
     * @return the name a line shows for it: ERROR, WARN, INFO, DEBUG, or TRACE below FINE.
     */
    public static String nameOf(final Level level)
    {
        final int value = level.intValue();
        if (value >= Level.SEVERE.intValue())
        {
            return "ERROR";
        }
        if (value >= Level.WARNING.intValue())
        {
            return "WARN";
        }
        if (value >= Level.INFO.intValue())
        {
            return "INFO";
        }
        return value >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }
}
