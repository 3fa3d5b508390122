/**
 * The journal: Axiom's write-ahead log, the judge every state is derived from.
 *
 * <h2>What it owns, and what it must never know</h2>
 * The journal knows bytes and positions. It frames opaque payloads with a type id, a version, a timestamp and a
 * sequence, groups them into atomic units, makes them durable, checks them, and reads them back. It never knows
 * workflows, events, SBE or clocks: {@code core} encodes an event into a claimed record, stamps the time it read once,
 * ends a unit after each command, and calls {@link io.axiom.journal.Journal#flush()} at the end of each batch.
 * Anything that needs meaning is decided above this package.
 *
 * <h2>The face</h2>
 * <ul>
 *     <li>{@link io.axiom.journal.JournalContext}: data dir, {@code maxSegmentSize} (64 MiB, 64 KiB..1 GiB, a multiple
 *     of 4096; an existing log keeps its own), {@code fsync} (true; false skips every force, loudly noted), {@code
 *     repair} (false), {@code directoryLock} (none: open takes it). {@code conclude()} validates and creates the
 *     directory, once; {@code Journal.open} concludes it if you did not.</li>
 *     <li>{@link io.axiom.journal.Journal#open(io.axiom.journal.JournalContext)} locks the data directory, runs
 *     recovery (from the newest bound snapshot with {@code startFromSnapshot}, below) and hands back a {@link
 *     io.axiom.journal.RecoveryReport}; it throws {@link
 *     io.axiom.journal.JournalCorruptionException} on mid-log corruption or a missing segment file, and {@link
 *     io.axiom.journal.DataDirectoryLockedException} when another owner holds the directory.</li>
 *     <li>Writing, in atomic units: {@code claim(payloadLength, type, version, timestamp, claim)} returns the record's
 *     position and fills a reusable {@link io.axiom.journal.JournalClaim}; write the payload into {@code
 *     claim.buffer()} (the staging buffer, or the mapped segment for a record larger than it) at {@code
 *     claim.offset()}, then {@code commit()} (or {@code abort()}, which zeroes the space and uses no sequence). A
 *     committed record joins the <em>open unit</em>; {@code endUnit()} ends it (the records of one engine command, or
 *     of one timer poll). One claim open at a time. {@code append(...)} is claim + copy + commit + endUnit, a
 *     one-record unit. {@code flush()} is the group commit and returns the bytes it made durable; with a unit open it
 *     throws {@code IllegalStateException} (a programming error: half a command would become durable on its own).
 *     {@code ensureRoom(bytes)} asks, before a command writes anything, whether a unit of up to that many bytes
 *     ({@code alignedFrameLength} summed) can be written without a new segment part way, moving to a fresh segment
 *     now if need be; false when the disk cannot give one (below). {@code storageState()} (OK, LOW, FULL, with a
 *     detail) may be read from any thread.</li>
 *     <li>Reading: {@code read(position, handler)} for one record (CRC-checked, false if no committed record starts
 *     there: for positions from outside), {@code readRecord(position, handler)} for a position the journal itself
 *     handed out (a claim/append return value or a position delivered by replay/read: no CRC, only bounds and
 *     length checks, so a position inside the log that is not a record start is not detected), {@code
 *     replay(fromPosition, handler)} for all records committed before the call, oldest first. All are zero-copy
 *     through {@link io.axiom.journal.RecordHandler} (the buffer is the mapped segment or the staging buffer, valid
 *     only during the call; a handler that appends must not touch it afterwards), on the writer's thread, and see
 *     committed records only, flushed or not, whether their unit has ended or not.</li>
 *     <li>Snapshots: {@link io.axiom.journal.SnapshotStore} writes them bound to the last record they cover ({@code
 *     endPosition()}, {@code lastPosition()}, {@code lastSequence()}, {@code lastChecksum()}) and {@code
 *     select(journal, repair)} chooses the one start-up may load.</li>
 *     <li>Offline: {@link io.axiom.journal.JournalInspector#verify(java.nio.file.Path)} and {@code dump(...)} behind
 *     {@code axiom wal verify} and {@code axiom wal dump}: read-only, never modify, take no lock (they work on a live
 *     directory), verify never throws on corruption. {@code read(dataDir, endPosition, visitor)} is the walk
 *     {@code axiom verify} replays: every record of a complete unit in log order to a {@link
 *     io.axiom.journal.LogVisitor}, each fault as a {@link io.axiom.journal.LogFault} where it is (resuming at the next
 *     valid record, as verify does), the torn tail with its records; given an end position the writer handed out, it
 *     ignores what lies past it, so it reads a live directory up to a consistent point.</li>
 *     <li>Retention: {@code sealed(index)} describes a segment no longer written to; {@link
 *     io.axiom.journal.SegmentArchive#write} archives it from any thread (below); {@code retire(segmentIndex)}, on the
 *     writer's thread, takes the oldest segment out of the log into the pool of files recycled as new segments
 *     (below). Deciding that a segment may go (below the oldest kept snapshot, older than the history kept) is
 *     {@code core}'s: the journal knows no clock.</li>
 * </ul>
 * One thread owns a {@code Journal} (the {@code BackgroundVerifier}'s figures may be read from any). Claim, commit, endUnit, ensureRoom, flush, read, readRecord and replay allocate
 * nothing (a test holds them to it); only a move to a new segment does file work and allocates. The journal also owns
 * one daemon thread, started by the first claim, that prepares the next segment file (below); it waits, never spins,
 * and {@code close()} stops it; and, once started, the background verifier's thread (below).
 *
 * <h2>On disk</h2>
 * The data dir holds segment files named by their base position, {@code %020d.wal}. Segment {@code i} covers positions
 * {@code [i * maxSegmentSize, (i + 1) * maxSegmentSize)}, so a position is {@code basePosition + fileOffset} and
 * finding a record's file is a division. A segment is created as {@code name.wal.tmp}, recycled from a retired file
 * when the pool has one (below), else filled with real zero blocks (not a sparse {@code setLength}, so that later
 * forces never need to allocate blocks), given its header, fsynced, renamed into place and the directory fsynced: a
 * crash leaves either no segment or a whole one. It is then memory-mapped whole (for reading) and wrapped in an Agrona
 * {@code UnsafeBuffer}. (Measured: writing 1 MiB batches with fdatasync into a {@code posix_fallocate}d file ran at
 * ~430 MB/s against ~1,600 MB/s into real zero blocks, because of unwritten-extent conversion; the zero blocks stay.)
 * <p>
 * The next segment is prepared ahead of need: after the first claim in a segment, a {@code SegmentPreparer} thread
 * writes {@code name.wal.next} the same way (a recycled file, or zero blocks; header, fsync) and maps it. A rotation
 * then only renames it to {@code name.wal} and fsyncs the directory (its content is already durable). If the
 * preparation is under way the writer waits for it (it is ahead of a fresh creation); if it has not started, or failed,
 * the writer creates the segment itself as above. {@code close()} stops the thread (a preparation under way stops
 * within 1 MiB) and puts an unused {@code .wal.next} in the pool (deletes it if its header is not whole); recovery does
 * the same with one (or a {@code .wal.tmp}) a crash left behind. A {@code .wal.next} is never part of the log. Measured
 * (ext4 virtual disk, 64 MiB): 41–90 ms to prepare on an idle disk, 190–210 ms while the writer appends at ~330 MB/s,
 * against the 200–230 ms the writer used to stall for inside {@code claim}; the rename and directory fsync left on the
 * writer take 0.3–0.8 ms.
 * <p>
 * A segment starts with a 64-byte header, little-endian: magic {@code "AXIOMWAL"} (int64), format version 3 (int32),
 * segment index (int32), base position (int64), max segment size (int64), generation (int64: 0 for a zero-filled
 * file, one more than the file's previous life for a recycled one), reserved zeros, and at byte 60 a CRC32C of
 * bytes [0, 60). Records follow from offset 64, each 8-aligned:
 * <pre>
 *   0  int32  frameLength   header + payload, unaligned; 0 = end of the log in this segment
 *   4  int32  checksum      CRC32C over bytes [8, frameLength), XOR the segment's generation (salt 0 in generation 0)
 *   8  int64  sequence      1, 2, 3... no gaps, across segments too
 *  16  int64  timestamp
 *  24  int16  type          (0..65535, unsigned)
 *  26  int16  version       (0..65535, unsigned)
 *  28  int32  flags         bit 0 COMMIT: this record ends an atomic unit; every other bit 0
 *  32  payload
 * </pre>
 * Commit writes the length last with a release store: a non-zero length means a complete record. The checksum of a
 * record that does not end its unit is written when the writer first needs it (the next claim, a write-out, a
 * rotation, a checked read), that of a unit's last record by {@code endUnit()}: each record is checksummed once, and
 * none leaves the writer's hands without its checksum.
 * Padding up to the next 8-byte boundary is zero. Format 1 (before commit marks) had a reserved zero int32 where the
 * flags are; format-1 segments are still read, with every record counting as the end of a unit (that is what they
 * meant), and never appended to: a journal whose last segment is format 1 moves to a new segment before its
 * first record. Format 2 (commit marks, no generation: reserved zeros where it is) is read as generation 0, whose
 * records are bit for bit format-3 records, and appended to as is; new segments are format 3.
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
 * A failed pwrite or fsync is fatal (the exception escapes, the engine stops) and is never retried: after a failed
 * fsync Linux may already have dropped the dirty pages and cleared the error, so a retry could report success for
 * records that never reached the device, and acknowledge them.
 * <p>
 * Why not the mapping for writes: on this ext4, {@code MappedByteBuffer.force} (msync) cost about twice an fdatasync
 * of the same range (1,157 µs vs 623 µs p50 for 1 MiB), and each page written after an msync faults again (ext4
 * write-protects it on writeback). Measured with {@code PerfMain journal} (records/s of journal over raw
 * {@code FileChannel.write + force(false)} of the same framed bytes in the same run, for 128 B x 64, 128 B x 1024,
 * 1024 B x 64 and 1024 B x 1024 records per flush; ±30% between runs on this shared machine): msync path before
 * 0.36 / 0.28 / 0.97 / 0.20; mapped writes + fdatasync + preparer 0.07 / 0.21 / 0.68 / 0.15; staging + pwrite +
 * fdatasync + preparer, the path kept, 0.71–1.04 / 0.32–0.42 / 0.70–0.81 / 0.21 (two runs; in absolute
 * terms 2.2–3.0x, 2.2–2.9x, 4.1–4.5x and 1.3–1.7x the records/s of the msync path; measured before commit marks,
 * which add one CRC32C of a unit's last record). What still holds large batches back is rotation: 64 MiB of
 * zero blocks take ~200 ms to prepare while the writer appends, so at ~330 MB/s of appends every rotation waits
 * ~140 ms for the preparer, while the per-batch p50 stays within 15–35% of raw.
 *
 * <h2>Recycled segments</h2>
 * Zero-filling a new 64 MiB file doubles the bytes the journal writes. A retired segment ({@code retire}, or a segment
 * recovery removed after the end of the log, or an unused {@code .wal.next}) is renamed {@code name.wal.free}, the
 * <b>pool</b>, never part of the log. Creating or preparing a segment takes the oldest pool file instead of
 * zero-filling: (1) rename it to {@code name.wal.tmp} or {@code name.wal.next}; (2) write a new header (this index and
 * base position, generation one more than the file's) and fsync the file; (3) as for a fresh file: rename to {@code
 * name.wal} and fsync the directory. Its old records stay where they are.
 * <p>
 * Why a stale record can never be read as a record of the new life: a record's stored checksum is its CRC32C XOR
 * the generation of the segment it was framed in, and every earlier life of a file had a smaller generation, so for
 * a stale record, whole and untouched, the check fails with certainty (not by chance); one partly overwritten by the
 * new life validates only by a CRC32C collision, as any damaged record. The walk therefore ends at the first stale
 * frame (or the middle of one) as it ends at zeros, and the look past the stop for a valid later record never finds a
 * stale one. The end of this life's bytes (what a torn-tail truncation zeroes, and the "later segment holds data"
 * test) is the end of the last frame that validates in this generation, not the last non-zero byte.
 * <p>
 * A crash at each step: before (2) completes, or before (3), the file is a {@code .wal.tmp} or {@code .wal.next},
 * never read as a log segment; recovery puts it back in the pool when its header (old or new) is whole, else deletes
 * it. If the rename (1) was lost but the header write (2) was not, the pool file carries a new header: the pool
 * accepts any whole header and the next reuse takes one more generation. The rename (3) happens only after the new
 * header is durable, so a file named {@code name.wal} always carries its new generation; if nothing of the new life
 * was written, every frame in it is stale, the segment is empty and goes back to the pool. A generation repeats only
 * after 2^32 reuses of one file. A file from the pool whose header is not whole or whose size is not the log's
 * segment size is deleted, never used. Creating a segment from the pool needs no free space, so a full disk still
 * rotates while the pool lasts.
 * <p>
 * Measured with {@code PerfMain journal} (two runs each, same machine, journal/raw records/s for 128 B x 64, 128 B x
 * 1024, 1 KiB x 64, 1 KiB x 1024 per flush): zero-fill 0.68 / 0.61 / 0.46 / 0.27 and 1.14 / 0.42 / 0.40 / 0.43;
 * {@code --recycle true} (a pool of 3, the oldest segment retired whenever more than 2 are in use) 0.58 / 2.42 / 0.66
 * / 1.94 and 1.74 / 1.33 / 1.05 / 1.61. In absolute terms the journal went from 235–268 to 1,118–1,232 MB/s at 1 KiB
 * x 1024. Ratios above 1 mean this run's raw baseline (one 64 MiB file overwritten in a loop) is not an upper bound
 * here; not yet explained.
 *
 * <h2>Retention: the archived prefix</h2>
 * A segment retention retires leaves the log in three steps: (1) {@link io.axiom.journal.SegmentArchive#write}, on
 * any thread, walks its records (each CRC32C in its generation, sequences continuous; a segment that does not
 * validate is not archived) and writes {@code archive-dir/<base>.wal.z}: a 128-byte header (segment index, base
 * position, size, format, generation, end of records, first and last sequence, last record time, record count,
 * CRC32C of all record bytes, CRC32C of the block index, CRC32C of the header), a block index, and blocks of whole
 * records of at least 1 MiB (or one larger record) compressed alone with {@code Deflater}; through a temp file,
 * fsync, rename, directory fsync. With the delete policy only the header is written, as {@code <base>.wal.deleted}.
 * (2) {@code retire} on the writer's thread unmaps the segment and renames it into the pool ({@code .wal.free}),
 * deleting the oldest pool files beyond {@code poolLimit} (2). So the segment is never unmapped while the writer's
 * thread reads it, and the compression never runs on it. From then on {@code read}, {@code readRecord} and {@code
 * replay} of a position below the live log go to the archive: one block is decompressed (and kept for the next read;
 * memory: the largest block), its CRC32C checked, and the record delivered from it; a deleted segment reads as "no
 * record" and a replay from inside it throws. (3) The pool file is recycled as a later segment (above).
 * <p>
 * Recovery with an archived prefix: archive temp files are removed (the segment is still live); an archive of a
 * segment still live (the crash fell between (1) and (2)) is removed and the live one kept, with a {@code recovery:}
 * note; the live log may then start at segment k > 0 if archives of 0..k-1 are all present (only the newest one's
 * header is read at start-up; {@code wal verify} checks them all), and its first record must follow the last
 * archived sequence. Replay at start-up begins at a snapshot as before; a log whose needed records were deleted by
 * policy refuses in {@code core}. {@code JournalInspector.verify} checks every archive block and record and the
 * sequence continuity archive to archive to live, {@code dump} and {@code read} deliver archived records first.
 * Limits: a snapshot whose last record lies in an archived segment is not matched against the archive (retention
 * never archives that far: it stops below the segment of the oldest kept snapshot's last record); {@code
 * recordCount()} and the recovery report count live records only.
 *
 * <h2>Atomic units: commit marks</h2>
 * One engine command appends several records, and they can reach the file before the command ends: the staging
 * buffer fills and is written out, a segment rotates, a record larger than the staging buffer is claimed straight in
 * the mapped segment. So the journal frames units, not only records. Every record of a unit is committed with flags
 * 0; {@code endUnit()} sets COMMIT on the unit's last record and computes that record's CRC32C (recomputes it, when
 * something needed it before the mark). It can: the record is
 * still in the staging buffer, or (a direct claim, or one written out by a later claim that was aborted) in the mapped
 * segment, which shares the page cache with the file; nothing forces it before the mark, since {@code flush()}
 * refuses an open unit. The end of the log is the end of the last record carrying COMMIT.
 * <p>
 * Why a mark can never make a partial unit look complete, even when the kernel writes pages back in any order: the mark
 * is accepted only at the end of a walk that validated every record from the previous mark on, each by its own CRC32C
 * over its whole frame (flags included) and each with the previous sequence plus one. If any page of the unit is
 * missing or stale, the walk stops at that record and the mark after it is never reached, so the unit is dropped,
 * whatever else reached the disk. A page that never reached the disk reads as zeros (a zero-filled segment) or as the
 * stale bytes of an earlier life (a recycled one, below), and neither validates. What remains after a power loss (not a
 * process crash):
 * <ul>
 *     <li>a damaged record validates only by a CRC32C collision, one chance in 2^32;</li>
 *     <li>pages of the unflushed window written back out of order can leave a hole followed by valid records; that
 *     is reported as corruption (below), although nothing acknowledged is in it: {@code --repair} is the way out;</li>
 *     <li>a whole unit may survive without having been acknowledged (the crash fell between the write-back and the
 *     reply); an acknowledged unit never disappears, because no reply leaves before the flush that covers it;</li>
 *     <li>none of this holds with {@code fsync} off, or on a device that acknowledges a flush it did not do.</li>
 * </ul>
 *
 * <h2>Recovery: torn tail or corruption</h2>
 * Opening walks every segment from the first (or, with {@code startFromSnapshot}, from a snapshot: below), checking
 * each record's length, CRC32C, flags (unknown bits set: a bad record) and that its sequence is the previous one plus
 * one. The walk stops at a zero length, or at a bad record;
 * in a recycled segment any frame that does not validate in the segment's generation ends the log there as a zero
 * length does (it is stale: no record of this life starts there).
 * Then it looks past the stop point, at every 8-aligned offset of that segment and of all later segments, for a frame
 * that validates with a later, plausible sequence and plausible flags.
 * <ul>
 *     <li>Nothing valid follows: a <b>torn tail</b>, what a process that died before its flush returned left behind,
 *     so no acknowledged record can be in it: the partial write, and the valid records after the last COMMIT (an
 *     <b>incomplete unit</b>, possibly spanning into a later segment). The bytes from the end of the last complete
 *     unit are zeroed (and forced), later segments removed, and the report says where ({@code truncatedAtPosition}),
 *     how many records ({@code truncatedRecords}) and bytes ({@code truncatedBytes}), in a note too. The writer
 *     resumes there.</li>
 *     <li>A valid record follows (or, after a bad record, a later segment holds data): <b>corruption</b> of data that
 *     may have been acknowledged. Opening refuses with a {@code JournalCorruptionException} naming the file, the file
 *     offset, the position, the expected (stored) and actual (computed) checksum or the expected and actual
 *     sequence, and the way out: restore the data dir from backup, or start with {@code --repair}, which truncates
 *     the log at the start of the unit holding the bad record (its earlier records are dropped too), losing every
 *     record after it, and says so in the report's notes ({@code repairCut}).</li>
 * </ul>
 * A bad segment header or a missing segment between two others is corruption too, and so is a log whose first
 * segment file is not {@code 00000000000000000000.wal} unless the archive directory holds an archive (or a deleted
 * segment's summary) for every segment before it (the archived prefix, below): else the records before it are gone
 * and the engine would answer "not found" for what they created. Repair starts such a log only when a snapshot bound
 * to it (below) holds the state the missing records built; without one nothing can be recovered and opening still
 * refuses. The debris of an
 * interrupted segment creation (a {@code .tmp} file, or an all-zero last segment) is removed, and so is a segment
 * prepared ahead of need ({@code .wal.next}), complete or not: it never held records (a whole one goes to the pool).
 * Segments removed after the end of the log go to the pool too. A valid record is never dropped
 * silently: every truncation, removal and repair is a note, one sentence each.
 *
 * <h2>A derived log: cut back to a position</h2>
 * A cluster node's journal is derived from the replicated log: at start the node loads the cluster's snapshot, bound
 * to an end position P of the journal, and the replicated log after it regenerates every record after P. {@link
 * io.axiom.journal.JournalContext#cutAfter(long)} makes open drop those records on purpose, unlike repair. Recovery
 * runs as above, watching for P: a unit must end exactly there (or P is the empty log's 64), else open refuses with
 * an {@code IllegalStateException} naming the unit ends around P; a log that ends before P (units the snapshot covers
 * are missing) raises a {@link io.axiom.journal.JournalBehindException} with the log's end, for the caller to
 * rebuild from scratch; a corruption before P is refused as always. Damage at or after P (a torn tail, corruption,
 * a bad header or a missing segment file) is dropped with the cut. A refusal changes no segment file. The cut
 * first sets aside the snapshots of the data directory past P (an open whose log already ends at P does too), then
 * renames the later segments into the pool (a recycled file gets a new generation, so its records never validate
 * again) and forces the directory, then zeroes the rest of the segment holding P and forces it: a stale record there
 * would validate, since the segment's generation salt does not change while it is written on. A crash at any point
 * leaves a log that ends at or after P, and once open returns none after P comes back. A snapshot past P is never
 * where the check starts, and the report counts {@code cutRecords} and {@code cutBytes} at {@code cutAtPosition}, in
 * its first note too.
 *
 * <h2>Bounded start-up: the check starts at a snapshot</h2>
 * With {@link io.axiom.journal.JournalContext#startFromSnapshot(boolean)} (the engine sets it when snapshots are on)
 * start-up time is bounded by the snapshot interval, not by history. Recovery first validates every segment's header
 * and their contiguity as always (64 bytes a file, no record read), then takes the snapshots newest first: the first
 * that passes its own checksums and whose bound record is in the mapped segments (at its position, validating in its
 * segment's generation, with the stored sequence and checksum, ending its unit exactly at the snapshot's position)
 * is where the walk starts, expecting the next sequence; the rules above (torn tail, incomplete unit, corruption,
 * repair and the snapshots set aside past a cut) apply from there exactly as from the first record. Each snapshot
 * passed over, and the start chosen, is a note; with none usable (or a log not starting at segment 0) the whole log
 * is walked. The snapshot read here is handed to {@code select}, which applies the same rules and so chooses the same
 * one (it refuses, with an {@code IllegalStateException}, to replay from before the checked start). Why this is
 * safe: every record before the snapshot's position is folded into the state it holds, so no start-up replays them;
 * they are never part of a torn tail (a snapshot covers flushed units only), and the journal does not force those
 * segments at open for the same reason. The segments wholly before the one holding the bound record are
 * <em>unchecked</em>: their limit is their capacity, {@code read} still checks a record's CRC32C, {@code
 * readRecord} is for positions the journal handed out, and {@code replay} through one stops at the first frame that is
 * not of the segment's life (a zero or impossible length, or in a recycled segment a frame that does not validate).
 * <p>
 * The records before the start are checked by a {@link io.axiom.journal.BackgroundVerifier} the owner starts after
 * it is ready ({@code startBackgroundVerify}): one low-priority daemon thread, a segment at a time mapped read-only
 * on its own, checking headers and every record (length, CRC32C, flags, sequence 1, 2, 3... across segments) and that
 * the walk ends exactly at the snapshot's bound record, resting after each MiB as long as the MiB took; {@code close()}
 * stops it within one MiB. A fault is reported (listener, counters) and changes nothing; a segment retired meanwhile
 * is skipped. {@code axiom wal verify} still checks every record.
 *
 * <h2>Snapshots</h2>
 * {@link io.axiom.journal.SnapshotStore} keeps whole-state snapshots as opaque bytes beside the log, in {@code
 * data_dir/snapshots}, written through a temp file, fsync, rename and directory fsync, each with a CRC32C and its
 * <b>binding</b>: the position P it covers (the end of the last record folded in, where replay resumes) and the
 * position, sequence and stored CRC32C of that last record. A position alone is not enough: after a repair the log
 * can reach P again with another history, and with a segment file deleted it does not reach P at all, and both used
 * to go unnoticed. {@code select(journal, repair)}, newest first: a snapshot that fails its checksums, or is format 1
 * (no binding), is set aside; one whose P lies past the end of the log proves that records it saw are missing, so
 * start-up refuses, naming the snapshot and the end of the log (with repair: set aside, and the state after the end
 * is lost); one whose last record is not in the log with that sequence and checksum, ending its unit at P, comes from
 * another history and is set aside, loudly. The first that passes is loaded and only the records after it are
 * replayed; falling back to an older one or to a full replay is always correct, because the log is the judge.
 * <em>Set aside</em> means moved to {@code snapshots/set-aside/}, never deleted (it is evidence) and never considered
 * again. A repair that cuts the log sets aside every snapshot past the cut. A torn-tail truncation never needs to:
 * snapshots cover flushed units only, and a torn tail lies after the last flush, so a snapshot past it is evidence of
 * lost records for {@code select} to refuse. A {@code .tmp} left by an interrupted write is removed at start, with a
 * note. A snapshot is forced a MiB at a time while it is written, so that the log's next fsync never has a whole
 * dirty snapshot to write back first. {@code SnapshotStore.describe(dataDir)} lists the snapshots for an operator by
 * their headers only (cheap whatever their size). A crash at each step of writing (payload written, before the fsync,
 * before the rename, after the rename before the directory fsync) is tested with a real SIGKILL through test-only
 * crash points that a system property turns on ({@code SnapshotStore}'s javadoc): a temp file is removed with a note
 * and start-up falls back to the snapshot before; a renamed one is whole (fsynced before the rename) and used; either
 * way the state is the log's. A snapshot shortens replay; the segments it covers leave the live log only by retention
 * (below), into archives that views and the events endpoint still read old records from.
 *
 * <h2>One owner per data directory</h2>
 * {@link io.axiom.journal.DataDirectoryLock} takes an exclusive OS lock ({@code fcntl}) on {@code data_dir/axiom.lock}
 * and writes the holder's pid into it, before anything in the directory is read; the journal keeps it for its life
 * and releases it on close, abandon or a failed open. The engine takes it in {@code Engine.launch} and hands it to the
 * journal, so that a second server fails at once. A second acquirer, another process or another journal of the same
 * JVM, gets a {@link io.axiom.journal.DataDirectoryLockedException} naming the directory, the holder's pid and what to
 * do. The OS releases the lock when its holder dies, even by SIGKILL. Within a JVM a registry is checked before any
 * descriptor of the lock file is opened, because closing any descriptor of a file drops every POSIX lock the process
 * holds on it.
 *
 * <h2>A full disk stops writes, not the process</h2>
 * Segments are preallocated with real zero blocks (or are recycled files, whose blocks exist), so appending into the
 * current segment never needs space; a full disk shows when a new segment must be created from zeros (a rotation, the
 * preparer) and for snapshots. {@code ensureRoom(bytes)} lets the processor refuse a command before it writes anything:
 * true when the unit fits the current segment or a fresh segment could be had now (the prepared one, or one created
 * here); false when usable space is below one segment (one statvfs: a full disk does not cost a 64 MiB zero-fill
 * attempt per command) or the creation failed (ENOSPC). A false changes nothing: the partial file is removed, the
 * journal stays usable (reads, replay, units that still fit), and a unit whose room was ensured never needs a new
 * segment part way. {@code storageState()} is OK; LOW when usable space is below two segments (checked by the preparer
 * after each preparation and by the writer at each rotation) or a preparation failed; FULL when the last {@code
 * ensureRoom} could not have a segment. While a segment is wanted the preparer retries (after 1 s, backing off to about
 * a minute while it keeps failing), and every {@code ensureRoom} that needs a segment tries too, so the state returns
 * to OK (or LOW) by itself once space is freed and a segment could be had. Limit: on a copy-on-write file system
 * (btrfs, ZFS) even overwriting preallocated blocks can fail with ENOSPC; that is a failed pwrite, hence fatal.
 *
 * <h2>Classes, one idea each</h2>
 * {@link io.axiom.journal.Journal} (the writer and reader), {@link io.axiom.journal.JournalClaim} (the record being
 * written), {@code Segment} (one mapped file, and the channel the writer writes and forces it through), {@code
 * SegmentPreparer} (prepares the next segment file on its own thread), {@code SegmentHeader} and {@code RecordFrame}
 * (the two layouts), {@code SegmentFiles} (the directory), {@code RecoveryScan} (walks and classifies, read-only),
 * {@code Recovery} (acts on the scan at open, choosing where it starts), {@link io.axiom.journal.BackgroundVerifier}
 * (checks, after start-up, what recovery did not), {@link io.axiom.journal.SnapshotStore} (snapshot files and their
 * binding), {@link io.axiom.journal.SegmentArchive} (an archived segment: writing, summary, a reader by position),
 * {@link io.axiom.journal.DataDirectoryLock} (one owner), {@code StorageMonitor} and {@code DiskProbe}
 * (usable space, the storage state, and the seam where tests inject a full disk), {@link
 * io.axiom.journal.JournalInspector} (the same scan for operators and for verify, which it hands records, {@link
 * io.axiom.journal.LogFault}s and the torn tail through a {@link io.axiom.journal.LogVisitor}).
 */
package io.axiom.journal;
