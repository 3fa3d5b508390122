/**
 * The journal: Axiom's write-ahead log, the judge every state is derived from.
 *
 * <h2>What it owns, and what it must never know</h2>
 * The journal knows bytes and positions. It frames opaque payloads with a type id, a version, a timestamp and a
 * sequence, makes them durable, checks them, and reads them back. It never knows workflows, events, SBE or clocks:
 * {@code core} encodes an event into a claimed record, stamps the time it read once, and calls {@link
 * io.axiom.journal.Journal#flush()} at the end of each batch. Anything that needs meaning is decided above this
 * package.
 *
 * <h2>The face</h2>
 * <ul>
 *     <li>{@link io.axiom.journal.JournalContext}: data dir, {@code maxSegmentSize} (64 MiB, 64 KiB..1 GiB, a multiple
 *     of 4096; an existing log keeps its own), {@code fsync} (true; false skips every force, loudly noted), {@code
 *     repair} (false). {@code conclude()} validates and creates the directory, once; {@code Journal.open} concludes
 *     it if you did not.</li>
 *     <li>{@link io.axiom.journal.Journal#open(io.axiom.journal.JournalContext)} runs recovery and hands back a
 *     {@link io.axiom.journal.RecoveryReport}; it throws {@link io.axiom.journal.JournalCorruptionException} on
 *     mid-log corruption.</li>
 *     <li>Writing: {@code claim(payloadLength, type, version, timestamp, claim)} returns the record's position and
 *     fills a reusable {@link io.axiom.journal.JournalClaim}; write the payload into {@code claim.buffer()} at
 *     {@code claim.offset()}, then {@code commit()} (or {@code abort()}, which zeroes the space and uses no
 *     sequence). One claim open at a time. {@code append(...)} is claim + copy + commit. {@code flush()} is the group
 *     commit and returns the bytes it made durable.</li>
 *     <li>Reading: {@code read(position, handler)} for one record (CRC-checked, false if no committed record starts
 *     there), {@code replay(fromPosition, handler)} for all records committed before the call, oldest first. Both
 *     are zero-copy through {@link io.axiom.journal.RecordHandler}, on the writer's thread, and see committed
 *     records only.</li>
 *     <li>Offline: {@link io.axiom.journal.JournalInspector#verify(java.nio.file.Path)} and {@code dump(...)} behind
 *     {@code axiom wal verify} and {@code axiom wal dump}: read-only, never modify, verify never throws on
 *     corruption.</li>
 * </ul>
 * One thread owns a {@code Journal}. Claim, commit, flush, read and replay allocate nothing (a test holds them to
 * it); only a rotation to a new segment does file work and allocates.
 *
 * <h2>On disk</h2>
 * The data dir holds segment files named by their base position, {@code %020d.wal}. Segment {@code i} covers
 * positions {@code [i * maxSegmentSize, (i + 1) * maxSegmentSize)}, so a position is {@code basePosition +
 * fileOffset} and finding a record's file is a division. A segment is created as {@code name.wal.tmp}, filled with
 * real zero blocks (not a sparse {@code setLength}, so that later forces never need to allocate blocks), given its
 * header, fsynced, renamed into place and the directory fsynced: a crash leaves either no segment or a whole one.
 * It is then memory-mapped whole and wrapped in an Agrona {@code UnsafeBuffer}.
 * <p>
 * A segment starts with a 64-byte header, little-endian: magic {@code "AXIOMWAL"} (int64), format version 1 (int32),
 * segment index (int32), base position (int64), max segment size (int64), reserved zeros, and at byte 60 a CRC32C of
 * bytes [0, 60). Records follow from offset 64, each 8-aligned:
 * <pre>
 *   0  int32  frameLength   header + payload, unaligned; 0 = end of the log in this segment
 *   4  int32  checksum      CRC32C over bytes [8, frameLength)
 *   8  int64  sequence      1, 2, 3... no gaps, across segments too
 *  16  int64  timestamp
 *  24  int16  type          (0..65535, unsigned)
 *  26  int16  version       (0..65535, unsigned)
 *  28  int32  reserved      0
 *  32  payload
 * </pre>
 * Commit writes the checksum, then the length last with a release store: a non-zero length means a complete record.
 * A record that does not fit the rest of a segment moves the writer to the next segment and leaves the rest zero;
 * records never span segments, and one larger than {@code maxSegmentSize - 64} is refused with an
 * {@code IllegalArgumentException}.
 *
 * <h2>Durability</h2>
 * {@code flush()} calls {@code MappedByteBuffer.force(offset, length)} on exactly the bytes committed since the last
 * flush, and on the unflushed tail of the previous segment after a rotation. No reply may leave the engine before
 * the flush covering its events returns. At open, every recovered segment is forced once, so records a killed
 * process left in the page cache are durable before anything new is acknowledged.
 *
 * <h2>Recovery: torn tail or corruption</h2>
 * Opening walks every segment from the first, checking each record's length, CRC32C and that its sequence is the
 * previous one plus one. The walk stops at a zero length, or at a bad record. Then it looks past the stop point, at
 * every 8-aligned offset of that segment and of all later segments, for a frame that validates with a later,
 * plausible sequence.
 * <ul>
 *     <li>Nothing valid follows: a <b>torn tail</b>, the partial write of a process that died before its flush
 *     returned, so no acknowledged record can be in it. The bytes are zeroed (and forced), later segments removed,
 *     and the report says where ({@code truncatedAtPosition}) and how much ({@code truncatedBytes}). The writer
 *     resumes there.</li>
 *     <li>A valid record follows (or, after a bad record, a later segment holds data): <b>corruption</b> of data that
 *     may have been acknowledged. Opening refuses with a {@code JournalCorruptionException} naming the file, the file
 *     offset, the position, the expected (stored) and actual (computed) checksum or the expected and actual
 *     sequence, and the way out: restore the data dir from backup, or start with {@code --repair}, which truncates
 *     the log at that position, losing every record after it, and says so in the report's notes.</li>
 * </ul>
 * A bad segment header or a missing segment between two others is corruption too. The debris of an interrupted
 * segment creation (a {@code .tmp} file, or an all-zero last segment) is removed. A valid record is never dropped
 * silently.
 * <p>
 * One limit to know: after a power failure (not a process crash), the kernel may have written back pages of the
 * unflushed window out of order. A hole followed by valid but unacknowledged records is then reported as corruption,
 * because the journal cannot tell it from damage to acknowledged data; {@code --repair} is the way out.
 *
 * <h2>Snapshots</h2>
 * {@link io.axiom.journal.SnapshotStore} keeps whole-state snapshots as opaque bytes beside the log, in {@code
 * data_dir/snapshots}, each with the position it covers and a CRC32C, written through a temp file, fsync, rename and
 * directory fsync. Start-up loads the newest one that passes its checks and does not claim more than the log holds,
 * and replays only the records after it; a damaged snapshot is skipped with a note, never trusted. Segments are kept
 * whole: a snapshot shortens replay, it does not (yet) allow deleting covered segments, because views and the events
 * endpoint still read inputs and outputs from old records.
 *
 * <h2>Classes, one idea each</h2>
 * {@link io.axiom.journal.Journal} (the writer and reader), {@link io.axiom.journal.JournalClaim} (the record being
 * written), {@code Segment} (one mapped file), {@code SegmentHeader} and {@code RecordFrame} (the two layouts),
 * {@code SegmentFiles} (the directory), {@code RecoveryScan} (walks and classifies, read-only), {@code Recovery}
 * (acts on the scan at open), {@link io.axiom.journal.JournalInspector} (the same scan for operators).
 */
package io.axiom.journal;
