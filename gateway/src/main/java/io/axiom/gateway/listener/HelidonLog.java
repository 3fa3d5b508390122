package io.axiom.gateway.listener;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Listens to two of Helidon's loggers, because Helidon 4.5 reports two failures only there:
 * <ul>
 *     <li>a listener that cannot bind ({@code LoomServer}: "Failed to start listener"): {@code WebServer.start()}
 *     returns without an exception and the port reads -1, so the cause is taken from the log record, on the thread
 *     that called {@code start()};</li>
 *     <li>an accept loop that ended ({@code ServerListener}: "... this server socket is terminating now"): the
 *     {@link HttpListener}s are told, and each checks whether its own listener is the one that died.</li>
 * </ul>
 * Both records carry a stack trace that would go to stderr; they are kept out of the log unless {@code --debug} asks
 * for Helidon's own output. Filtering also keeps the record from being formatted, which needs files (time-zone data)
 * exactly when a process out of file descriptors cannot open any.
 */
final class HelidonLog
{
    static final String SERVER_LOGGER = "io.helidon.webserver.LoomServer";
    static final String LISTENER_LOGGER = "io.helidon.webserver.ServerListener";

    private static final Logger SERVER = Logger.getLogger(SERVER_LOGGER);
    private static final Logger LISTENER = Logger.getLogger(LISTENER_LOGGER);
    private static final List<HttpListener> LISTENERS = new CopyOnWriteArrayList<>();
    private static final ThreadLocal<Throwable> START_FAILURE = new ThreadLocal<>();
    private static volatile boolean verbose;
    private static boolean installed;

    private HelidonLog()
    {
    }

    /**
     * @param showHelidonRecords true to let the records through to the log as well ({@code --debug}).
     */
    static synchronized void install(final boolean showHelidonRecords)
    {
        verbose = showHelidonRecords;
        if (installed)
        {
            return;
        }
        installed = true;
        SERVER.setFilter(HelidonLog::onServerRecord);
        LISTENER.setFilter(HelidonLog::onListenerRecord);
    }

    static void register(final HttpListener listener)
    {
        LISTENERS.add(listener);
    }

    static void deregister(final HttpListener listener)
    {
        LISTENERS.remove(listener);
    }

    /**
     * @return the failure Helidon logged while this thread started a server since the last call, or null.
     */
    static Throwable takeStartFailure()
    {
        final Throwable failure = START_FAILURE.get();
        START_FAILURE.remove();
        return failure;
    }

    private static boolean onServerRecord(final LogRecord record)
    {
        if (record.getLevel().intValue() < Level.SEVERE.intValue())
        {
            return true;
        }
        final String message = String.valueOf(record.getMessage());
        if (message.startsWith("Failed to start listener"))
        {
            if (null != record.getThrown() && null == START_FAILURE.get())
            {
                START_FAILURE.set(record.getThrown());
            }
            return verbose;
        }
        return verbose || !message.startsWith("Helidon WebServer failed to start");
    }

    private static boolean onListenerRecord(final LogRecord record)
    {
        if (record.getLevel().intValue() < Level.SEVERE.intValue())
        {
            return true;
        }
        final String message = String.valueOf(record.getMessage());
        if (!message.contains("terminating"))
        {
            return true;
        }
        for (final HttpListener listener : LISTENERS)
        {
            listener.acceptLoopEnded(record.getThrown());
        }
        return verbose;
    }
}
