package io.axiom.core;

import java.util.concurrent.TimeUnit;

import io.axiom.journal.BackgroundVerifier;
import io.axiom.journal.LogFault;

/**
 * Logs what the background check of the log before the start-up snapshot finds, on the check's own thread
 * ({@code axiom.recovery}): each fault at ERROR with file, offset, position and checksums, and the end with its
 * figures. A fault does not stop the engine: those records are folded into the snapshot it loaded.
 */
final class BackgroundCheckLog implements BackgroundVerifier.Listener
{
    private static final System.Logger LOG = System.getLogger("axiom.recovery");

    public void onFault(final LogFault fault)
    {
        LOG.log(System.Logger.Level.ERROR, "recovery: the background check of the log before the start-up " +
            "snapshot found corruption: " + fault.description() + ". The engine goes on (these records are folded " +
            "into the snapshot it loaded, and no start-up reads them), but the log is damaged: run axiom wal verify, " +
            "and restore the data directory from backup before the snapshot is lost.");
    }

    public void onEnd(final BackgroundVerifier verifier)
    {
        final String figures = verifier.segmentsVerified() + " of " + verifier.segmentsTotal() + " segment(s), " +
            verifier.recordsVerified() + " records, " + verifier.bytesVerified() + " bytes before position " +
            verifier.endPosition() + " in " + TimeUnit.NANOSECONDS.toMillis(verifier.nanos()) + " ms" +
            (verifier.segmentsSkipped() > 0 ? " (" + verifier.segmentsSkipped() + " retired meanwhile, skipped)" : "");
        switch (verifier.state())
        {
            case VERIFIED -> LOG.log(System.Logger.Level.INFO,
                "recovery: background check of the log before the start-up snapshot: no fault in " + figures + ".");
            case CORRUPT -> LOG.log(System.Logger.Level.ERROR,
                "recovery: background check of the log before the start-up snapshot: " + verifier.faults() +
                " fault(s) in " + figures + "; the first: " + verifier.firstFault() + ".");
            case STOPPED -> LOG.log(System.Logger.Level.INFO,
                "recovery: background check of the log before the start-up snapshot stopped at shutdown after " +
                figures + ".");
            default -> LOG.log(System.Logger.Level.WARNING,
                "recovery: background check of the log before the start-up snapshot could not finish (" +
                verifier.firstFault() + ") after " + figures + "; axiom wal verify checks the whole log.");
        }
    }
}
