package io.axiom.journal;

/**
 * Whether the journal can have the new segments its writes will need, as told by {@link Journal#storageState()}.
 */
public enum StorageStatus
{
    /**
     * At least two segments' worth of usable space in the data directory.
     */
    OK,

    /**
     * Less than two segments' worth of usable space, or the last preparation of a segment ahead of need failed:
     * writes go on, but may stop at the next rotation. Free space now.
     */
    LOW,

    /**
     * The last {@link Journal#ensureRoom(int)} needed a new segment and could not have one: commands that write are
     * refused (reads and replay still work) until space is back; the journal returns to {@link #LOW} or {@link #OK}
     * by itself once a segment could be had.
     */
    FULL
}
