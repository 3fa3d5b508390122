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
 *     fills a reusable {@link io.axiom.journal.JournalClaim}; write the payload into {@code claim.buffer()} (the
 *     staging buffer, or the mapped segment for a record larger than it) at {@code claim.offset()}, then {@code commit()} (or {@code abort()}, which zeroes the space and uses no
 *     sequence). One claim open at a time. {@code append(...)} is claim + copy + commit. {@code flush()} is the group
 *     commit and returns the bytes it made durable.</li>
 *     <li>Reading: {@code read(position, handler)} for one record (CRC-checked, false if no committed record starts
 *     there: for positions from outside), {@code readRecord(position, handler)} for a position the journal itself
 *     handed out (a claim/append return value or a position delivered by replay/read: no CRC, only bounds and
 *     length checks, so a position inside the log that is not a record start is not detected), {@code
 *     replay(fromPosition, handler)} for all records committed before the call, oldest first. All are zero-copy
 *     through {@link io.axiom.journal.RecordHandler} (the buffer is the mapped segment or the staging buffer, valid
 *     only during the call; a handler that appends must not touch it afterwards), on the writer's thread, and see
 *     committed records only, flushed or not.</li>
 *     <li>Offline: {@link io.axiom.journal.JournalInspector#verify(java.nio.file.Path)} and {@code dump(...)} behind
 *     {@code axiom wal verify} and {@code axiom wal dump}: read-only, never modify, verify never throws on
 *     corruption.</li>
 * </ul>
 * One thread owns a {@code Journal}. Claim, commit, flush, read, readRecord and replay allocate nothing (a test
 * holds them to it); only a rotation to a new segment does file work and allocates. The journal also owns one daemon
 * thread, started by the first claim, that prepares the next segment file (below); it waits, never spins, and
 * {@code close()} stops it.
 *
 * <h2>On disk</h2>
 * The data dir holds segment files named by their base position, {@code %020d.wal}. Segment {@code i} covers
 * positions {@code [i * maxSegmentSize, (i + 1) * maxSegmentSize)}, so a position is {@code basePosition +
 * fileOffset} and finding a record's file is a division. A segment is created as {@code name.wal.tmp}, filled with
 * real zero blocks (not a sparse {@code setLength}, so that later forces never need to allocate blocks), given its
 * header, fsynced, renamed into place and the directory fsynced: a crash leaves either no segment or a whole one.
 * It is then memory-mapped whole (for reading) and wrapped in an Agrona {@code UnsafeBuffer}. (Measured: writing
 * 1 MiB batches with fdatasync into a {@code posix_fallocate}d file ran at ~430 MB/s against ~1,600 MB/s into real
 * zero blocks, because of unwritten-extent conversion; the zero blocks stay.)
 * <p>
 * The next segment is prepared ahead of need: after the first claim in a segment, a {@code SegmentPreparer} thread
 * writes {@code name.wal.next} the same way (zero blocks, header, fsync) and maps it. A rotation then only renames it
 * to {@code name.wal} and fsyncs the directory (its content is already durable). If the preparation is under way the
 * writer waits for it (it is ahead of a fresh creation); if it has not started, or failed, the writer creates the
 * segment itself as above. {@code close()} stops the thread (a preparation under way stops within 1 MiB) and deletes
 * an unused {@code .wal.next}; recovery deletes one a crash left behind. A {@code .wal.next} is never part of the
 * log. Measured (ext4 virtual disk, 64 MiB): 41–90 ms to prepare on an idle disk, 190–210 ms while the writer
 * appends at ~330 MB/s, against the 200–230 ms the writer used to stall for inside {@code claim}; the rename and
 * directory fsync left on the writer take 0.3–0.8 ms.
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
 * Padding up to the next 8-byte boundary is zero.
 * A record that does not fit the rest of a segment moves the writer to the next segment and leaves the rest zero;
 * records never span segments, and one larger than {@code maxSegmentSize - 64} is refused with an
 * {@code IllegalArgumentException}.
 *
 * <h2>Durability</h2>
 * Records are claimed in a direct staging buffer (a quarter of a segment, at most 4 MiB; framed and CRC'd exactly as
 * in the file) and reach the segment file through {@code FileChannel.write} (pwrite, into the page cache) when the
 * staging buffer is full and at every {@code flush()}; a record larger than the staging buffer is claimed straight in
 * the mapped segment. {@code flush()} writes out what is staged, then calls {@code FileChannel.force(false)}
 * (fdatasync) on the current segment, and on the previous one after a rotation: every committed record is durable
 * when it returns, and no reply may leave the engine before the flush covering its events returns. A process killed
 * before a flush loses only unflushed, hence unacknowledged, records. The mapping stays for reading: on Linux a
 * pwrite and a {@code MAP_SHARED} mapping share the page cache, so written records are read through it, and records
 * still in the staging buffer (the current batch, and the batches before it until the buffer fills) are read from
 * the buffer. At open, every recovered segment is forced once, so records a killed process left in the page cache
 * are durable before anything new is acknowledged.
 * <p>
 * Why not the mapping for writes: on this ext4, {@code MappedByteBuffer.force} (msync) cost about twice an fdatasync
 * of the same range (1,157 µs vs 623 µs p50 for 1 MiB), and each page written after an msync faults again (ext4
 * write-protects it on writeback). Measured with {@code PerfMain journal} (records/s of journal over raw
 * {@code FileChannel.write + force(false)} of the same framed bytes in the same run, for 128 B x 64, 128 B x 1024,
 * 1024 B x 64 and 1024 B x 1024 records per flush; ±30% between runs on this shared machine): msync path before
 * 0.36 / 0.28 / 0.97 / 0.20; mapped writes + fdatasync + preparer 0.07 / 0.21 / 0.68 / 0.15; staging + pwrite +
 * fdatasync + preparer, the path kept, 0.71–1.04 / 0.32–0.42 / 0.70–0.81 / 0.21 (two runs; in absolute
 * terms 2.2–3.0x, 2.2–2.9x, 4.1–4.5x and 1.3–1.7x the records/s of the msync path). What still holds large batches back is rotation: 64 MiB of
 * zero blocks take ~200 ms to prepare while the writer appends, so at ~330 MB/s of appends every rotation waits
 * ~140 ms for the preparer, while the per-batch p50 stays within 15–35% of raw.
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
 * segment creation (a {@code .tmp} file, or an all-zero last segment) is removed, and so is a segment prepared
 * ahead of need ({@code .wal.next}), complete or not: it never held records. A valid record is never dropped
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
 * written), {@code Segment} (one mapped file, and the channel the writer writes and forces it through), {@code SegmentPreparer}
 * (prepares the next segment file on its own thread), {@code SegmentHeader} and {@code RecordFrame} (the two layouts),
 * {@code SegmentFiles} (the directory), {@code RecoveryScan} (walks and classifies, read-only), {@code Recovery}
 * (acts on the scan at open), {@link io.axiom.journal.JournalInspector} (the same scan for operators).
 */
package io.axiom.journal;
