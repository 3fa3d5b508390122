package io.axiom.journal;

/**
 * A seam for fault injection around the journal's file calls: the chaos scenarios of a server started with chaos
 * enabled delay the group commit through it. Production never sets one; without one the journal makes no call and
 * pays one null check per flush.
 */
@FunctionalInterface
public interface JournalFaults
{
    /**
     * Called on the journal's (the processor's) thread before a flush writes and forces records; may sleep.
     */
    void beforeFlush();
}
