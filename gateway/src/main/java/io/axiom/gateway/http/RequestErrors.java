package io.axiom.gateway.http;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What Helidon found wrong with a request it refuses before routing. Helidon 4.5 hands its direct handler only a
 * fixed text ("Bad request, see server log ..."), and the exception behind it only to its logger, at DEBUG, on the
 * connection's thread just before the handler runs. So that logger is made to hand the record here instead of to
 * the log: {@link ProblemDirectHandler} reads it on the same thread and words the precise reason in Axiom's terms
 * (Helidon's text itself is never sent). The records are not published.
 */
public final class RequestErrors
{
    static final String HTTP1_LOGGER = "io.helidon.webserver.http1.Http1Connection";

    private static final Logger HTTP1 = Logger.getLogger(HTTP1_LOGGER);
    private static final ThreadLocal<String> LAST = new ThreadLocal<>();
    private static boolean installed;

    private RequestErrors()
    {
    }

    /**
     * Start taking the records (once per process).
     */
    public static synchronized void install()
    {
        if (installed)
        {
            return;
        }
        installed = true;
        HTTP1.setLevel(Level.FINE);
        HTTP1.setFilter(RequestErrors::onRecord);
    }

    /**
     * @return the text of the last refusal Helidon logged on this thread, or the empty string; cleared.
     */
    static String take()
    {
        final String text = LAST.get();
        LAST.remove();
        return null == text ? "" : text;
    }

    private static boolean onRecord(final LogRecord record)
    {
        if (record.getLevel().intValue() >= Level.INFO.intValue())
        {
            return true;
        }
        final StringBuilder text = new StringBuilder(String.valueOf(record.getMessage()));
        for (Throwable t = record.getThrown(); null != t; t = t.getCause())
        {
            text.append(' ').append(t.getMessage());
        }
        LAST.set(text.toString());
        return false;
    }
}
