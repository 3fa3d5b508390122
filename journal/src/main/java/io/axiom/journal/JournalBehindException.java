package io.axiom.journal;

import java.nio.file.Path;

/**
 * Thrown by {@link Journal#open} when {@link JournalContext#cutAfter(long)} asks for an end position past the end of
 * the log: records the caller's state covers are not in the log (the log was not flushed that far, or was cut). The
 * log is left as recovery found it; a caller deriving the log from a replicated one rebuilds it from the start.
 */
public final class JournalBehindException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    private final transient Path dataDir;
    private final long requiredEndPosition;
    private final long logEndPosition;

    /**
     * @param dataDir             the journal's data directory.
     * @param requiredEndPosition the end position asked for.
     * @param logEndPosition      where the log ends: after its last complete unit.
     */
    public JournalBehindException(
        final Path dataDir, final long requiredEndPosition, final long logEndPosition)
    {
        super("Journal behind: the log in " + dataDir + " ends at position " + logEndPosition + ", before position " +
            requiredEndPosition + " it must be cut back to: the records in [" + logEndPosition + ", " +
            requiredEndPosition + ") are not in it. Rebuild the log from the start.");
        this.dataDir = dataDir;
        this.requiredEndPosition = requiredEndPosition;
        this.logEndPosition = logEndPosition;
    }

    /**
     * @return the journal's data directory.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @return the end position asked for.
     */
    public long requiredEndPosition()
    {
        return requiredEndPosition;
    }

    /**
     * @return where the log ends: after its last complete unit.
     */
    public long logEndPosition()
    {
        return logEndPosition;
    }
}
