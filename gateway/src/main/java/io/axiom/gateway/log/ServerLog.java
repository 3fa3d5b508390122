package io.axiom.gateway.log;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The log of a running {@code axiom server}: one handler on the root {@code java.util.logging} logger, in place of
 * the JDK's two-line console handler, that writes every record as one line ({@link LineFormatter}) to the server's
 * standard output, flushed at once. {@code System.Logger} (which the engine and the gateway use), Helidon and the
 * JDK all log through it.
 * <p>
 * Levels: the handler and Axiom's loggers ({@code axiom.*}, {@code io.axiom.*}) take the chosen level; every other
 * logger (Helidon, the JDK) at most INFO, so {@code debug} shows Axiom's debug lines, not every library's.
 * <p>
 * The server's own lines ({@link #log}) are handed to the handler directly, not through a logger: the JDK's
 * {@code LogManager} removes every handler from its loggers in a shutdown hook of its own, which may run before the
 * server's, and the stop lines are written from the server's hook. {@link #close()} puts back what was there before.
 * <p>
 * Thread-safe: a line is formatted on the calling thread and written under the handler's lock. The processor thread
 * never logs on its hot path; nothing here is called per command.
 */
public final class ServerLog implements AutoCloseable
{
    private static final String[] AXIOM_LOGGERS = {"axiom", "io.axiom"};

    private final LineHandler handler;
    private final Logger root = Logger.getLogger("");
    private final List<Logger> axiomLoggers = new ArrayList<>();
    private final List<Level> axiomLevelsBefore = new ArrayList<>();
    private final Handler[] rootHandlersBefore;
    private final Level rootLevelBefore;
    private boolean closed;

    private ServerLog(final PrintWriter out, final LogFormat format, final LogLevel level)
    {
        handler = new LineHandler(out, new LineFormatter(format), level.julLevel());
        rootHandlersBefore = root.getHandlers();
        rootLevelBefore = root.getLevel();
        for (final Handler before : rootHandlersBefore)
        {
            root.removeHandler(before);
        }
        root.addHandler(handler);
        root.setLevel(level.julLevel().intValue() > Level.INFO.intValue() ? level.julLevel() : Level.INFO);
        for (final String name : AXIOM_LOGGERS)
        {
            final Logger logger = Logger.getLogger(name);
            axiomLoggers.add(logger); // held: java.util.logging keeps loggers, and so their levels, only weakly
            axiomLevelsBefore.add(logger.getLevel());
            logger.setLevel(level.julLevel());
        }
    }

    /**
     * Make every log record of this process a line on {@code out}.
     *
     * @param out    where lines go (the server's standard output).
     * @param format text or JSON.
     * @param level  the least severe level written.
     * @return the log; close it to put back the handlers and levels there were.
     */
    public static ServerLog install(final PrintWriter out, final LogFormat format, final LogLevel level)
    {
        return new ServerLog(out, format, level);
    }

    /**
     * Write one line of the server's own, when the level lets it through.
     *
     * @param level   its level.
     * @param logger  its logger name, e.g. {@code axiom.server}.
     * @param message the text.
     */
    public void log(final Level level, final String logger, final String message)
    {
        log(level, logger, message, null);
    }

    /**
     * Write one line of the server's own, when the level lets it through.
     *
     * @param level   its level.
     * @param logger  its logger name, e.g. {@code axiom.server}.
     * @param message the text.
     * @param thrown  an exception to describe, or null.
     */
    public void log(final Level level, final String logger, final String message, final Throwable thrown)
    {
        if (!isLoggable(level))
        {
            return;
        }
        final LogRecord record = new LogRecord(level, message);
        record.setLoggerName(logger);
        record.setThrown(thrown);
        handler.publish(record);
    }

    /**
     * @param level a level.
     * @return true when lines of that level are written.
     */
    public boolean isLoggable(final Level level)
    {
        return level.intValue() >= handler.getLevel().intValue();
    }

    /**
     * Take the handler off and put back the handlers and levels there were. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        root.removeHandler(handler);
        for (final Handler before : rootHandlersBefore)
        {
            root.addHandler(before);
        }
        root.setLevel(rootLevelBefore);
        for (int i = 0; i < axiomLoggers.size(); i++)
        {
            axiomLoggers.get(i).setLevel(axiomLevelsBefore.get(i));
        }
        handler.flush();
    }

    /**
     * Writes formatted records to a writer, one line each, flushed at once.
     */
    static final class LineHandler extends Handler
    {
        private final PrintWriter out;

        LineHandler(final PrintWriter out, final LineFormatter formatter, final Level level)
        {
            this.out = out;
            setFormatter(formatter);
            setLevel(level);
        }

        @Override
        public void publish(final LogRecord record)
        {
            if (!isLoggable(record))
            {
                return;
            }
            final String line;
            try
            {
                line = getFormatter().format(record);
            }
            catch (final RuntimeException ex)
            {
                reportError("cannot format a log record", ex, java.util.logging.ErrorManager.FORMAT_FAILURE);
                return;
            }
            synchronized (this)
            {
                out.write(line);
                out.flush();
            }
        }

        @Override
        public synchronized void flush()
        {
            out.flush();
        }

        /**
         * Flushes only: the stream is the process's standard output, which outlives the log ({@code LogManager}'s
         * own shutdown hook closes every handler it finds).
         */
        @Override
        public void close()
        {
            flush();
        }
    }
}
