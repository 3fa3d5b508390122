package io.axiom.gateway.log;

import java.util.logging.LogManager;

/**
 * The JDK's {@code LogManager}, except that it keeps its handlers when the JVM exits. The JDK's own shutdown hook
 * resets every logger (removes and closes its handlers), and shutdown hooks run in no order, so without this the
 * lines logged while the server stops (the processor's and the snapshot writer's, after SIGTERM) could be lost.
 * {@code bin/axiom} selects it with {@code -Djava.util.logging.manager=io.axiom.gateway.log.ServerLogManager}; every
 * handler of {@link ServerLog} flushes each line, so nothing is left to flush at exit.
 */
public final class ServerLogManager extends LogManager
{
    private static final String JDK_CLEANER = LogManager.class.getName() + "$Cleaner";

    /**
     * Called by the JDK when the system property names this class.
     */
    public ServerLogManager()
    {
        super();
    }

    @Override
    public void reset()
    {
        if (JDK_CLEANER.equals(Thread.currentThread().getClass().getName()))
        {
            return; // the JVM is exiting: the server's own shutdown hook still logs
        }
        super.reset();
    }
}
