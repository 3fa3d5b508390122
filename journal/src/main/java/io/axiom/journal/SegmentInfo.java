package io.axiom.journal;

import java.nio.file.Path;

/**
 * One segment as seen by {@link JournalInspector#verify(Path)}.
 *
 * @param file         the segment file.
 * @param index        segment index, basePosition / capacity.
 * @param basePosition position of the first byte of the file.
 * @param records      valid records in it.
 * @param usedBytes    bytes up to the end of its last valid record, the 64-byte header included.
 * @param capacity     file size.
 * @param generation   the file's life: 0 zero-filled, one more each time it was recycled from the pool.
 */
public record SegmentInfo(
    Path file, int index, long basePosition, long records, long usedBytes, long capacity, long generation)
{
}
