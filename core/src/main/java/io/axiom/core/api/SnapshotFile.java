package io.axiom.core.api;

/**
 * A snapshot file on disk, as listed for an operator: read from its header only.
 *
 * @param file        its name in {@code data_dir/snapshots}.
 * @param position    journal position it covers (from its name when its header is unsound).
 * @param sequence    sequence of the last record it covers (0 when its header is unsound).
 * @param bytes       payload bytes.
 * @param writtenAtMs when it was written (the file's modification time), epoch milliseconds.
 * @param startup     true for the one start-up would load: the newest with a sound header, snapshots on (start-up
 *                    also checks its payload's checksum and binding to the log, and falls back when either fails).
 * @param problem     what is wrong with its header, null when nothing.
 */
public record SnapshotFile(
    String file, long position, long sequence, long bytes, long writtenAtMs, boolean startup, String problem)
{
}
