package io.axiom.journal;

/**
 * The journal's storage status with a one-line detail for an operator, immutable: read it from any thread with
 * {@link Journal#storageState()} (for a readiness probe or metrics).
 *
 * @param status      OK, LOW or FULL.
 * @param detail      one sentence: the usable space and the segment size, or the error that made it FULL.
 * @param usableBytes usable bytes in the data directory at the last check, -1 when unknown.
 */
public record StorageState(StorageStatus status, String detail, long usableBytes)
{
}
