package io.axiom.gateway.cli;

import picocli.CommandLine;

/**
 * What every {@code axiom} command returns, and the version it reports: here, beside the commands, so that they
 * need nothing from {@code AxiomMain}, which only lists them.
 */
public final class ExitStatus
{
    /** Success (for {@code wal verify}: the journal is clean). */
    public static final int EXIT_OK = 0;
    /** The operation failed: corruption found, port taken, I/O error. */
    public static final int EXIT_FAILED = 1;
    /** Usage or configuration error, or a fatal engine failure at start. */
    public static final int EXIT_USAGE = 2;

    private ExitStatus()
    {
    }

    /**
     * Reports the version from the jar's manifest.
     */
    public static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = ExitStatus.class.getPackage().getImplementationVersion();
            return new String[] {"axiom " + (null == version ? "0.1.0-SNAPSHOT" : version)};
        }
    }
}
