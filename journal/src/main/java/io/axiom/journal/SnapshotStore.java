package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;

/**
 * Snapshot files: a whole state, opaque bytes, bound to the record of the log it covers last.
 * <p>
 * A snapshot says "every record up to and including the record of sequence S at position L, whose stored CRC32C is
 * C and which ends at position P, is folded into these bytes". Start-up loads the newest snapshot that is bound to
 * the log it opened and replays the log from P, so start-up time stops growing with the age of the log. A position
 * alone is not enough: after a repair, or with a segment file deleted, a log can reach P with a different history, or
 * not reach it at all.
 * <p>
 * Files live in {@code data_dir/snapshots}, named {@code snapshot-%020d.snap} by P. Writing is crash-safe: the bytes
 * go to a {@code .tmp} file which is fsynced, renamed into place, and the directory fsynced; a crash leaves either the
 * old set of snapshots or the new one (a {@code .tmp} left behind is removed at the next start). Each file carries a
 * 64-byte header, little-endian, format 2:
 * <pre>
 *   0  int64 magic "AXIOMSNP"
 *   8  int32 format version (2; 1 had no binding and a 40-byte header)
 *  12  int32 reserved 0
 *  16  int64 position covered P: the end of the last covered record, where replay resumes
 *  24  int64 payload length
 *  32  int64 position L of the last covered record
 *  40  int64 sequence S of the last covered record
 *  48  int32 CRC32C C stored in the last covered record
 *  52  int32 CRC32C of the payload
 *  56  int32 reserved 0
 *  60  int32 CRC32C of bytes [0, 60)
 * </pre>
 * {@link #select(Journal, boolean)} decides which snapshot start-up may use. A snapshot that cannot be used is
 * <em>set aside</em>: moved to {@code snapshots/set-aside/} (never deleted: it is evidence) and never considered again.
 * Only the newest {@code retain} snapshots in {@code snapshots/} are kept; set-aside ones stay until an operator
 * removes them.
 * <p>
 * <b>Written back as it goes.</b> The payload is forced every {@link #WRITE_BACK_BYTES} (1 MiB) while it is written,
 * not only at the end: the log and the snapshots share a file system, whose fsync of the log also writes back dirty
 * data of other files, so a snapshot left dirty whole (100 MB at a million workflows) stalled a group commit of the
 * log for 44-61 ms when it was forced; written back a MiB at a time, the longest group commit while a snapshot of a
 * million workflows was written was 3.7-20 ms ({@code bin/axiom perf snapshot}, a few runs on a shared, loaded 2-core
 * machine: to be measured again quietly).
 * <p>
 * <b>Test-only crash points.</b> The system property {@code axiom.test.snapshot-crash-at} (read once, when this class
 * loads; unset in production, where each step then costs one null check per snapshot, never per record) names a step
 * of writing: {@code PAGE_WRITTEN} (payload bytes written to the temp file), {@code BEFORE_FSYNC} (header written),
 * {@code BEFORE_RENAME} (temp file fsynced and closed), {@code AFTER_RENAME_BEFORE_DIR_FSYNC}; with
 * {@code axiom.test.snapshot-crash-nth} (default 1) it picks the n-th snapshot this process writes. There the writing
 * thread prints {@code SNAPSHOT-CRASH-AT <step> <file>} to standard output and blocks for good, so that the test that
 * started this process kills it ({@code SIGKILL}) exactly at that step ({@code SnapshotWriteCrashTest}).
 */
public final class SnapshotStore
{
    /** Directory under the data dir. */
    public static final String DIRECTORY = "snapshots";

    /** Directory under {@link #DIRECTORY} where snapshots that must not be used are moved. */
    public static final String SET_ASIDE_DIRECTORY = "set-aside";

    static final long MAGIC = 0x504E534D4F495841L; // "AXIOMSNP" little-endian
    static final int VERSION = 2;
    static final int VERSION_UNBOUND = 1;
    static final int HEADER_LENGTH = 64;
    static final String TEMP_SUFFIX = ".tmp";
    private static final int HEADER_CHECKSUM_OFFSET = 60;
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})\\.snap");
    private static final Pattern TEMP_NAME = Pattern.compile("snapshot-\\d{20}\\.snap\\.tmp");

    /**
     * Payload bytes after which a snapshot being written is forced to disk as it goes (see the class's javadoc);
     * {@code axiom.snapshot.write-back-bytes} overrides it for measurements (0: only at the end).
     */
    static final long WRITE_BACK_BYTES = Long.getLong("axiom.snapshot.write-back-bytes", 1L << 20);
    private static final String CRASH_AT = System.getProperty("axiom.test.snapshot-crash-at");
    private static final int CRASH_NTH = Integer.getInteger("axiom.test.snapshot-crash-nth", 1);
    private static int crashCountdown = CRASH_NTH;

    private final Path dir;
    private final int retain;

    /**
     * @param dataDir the journal's data dir.
     * @param retain  how many snapshots to keep, at least 1.
     */
    public SnapshotStore(final Path dataDir, final int retain)
    {
        if (retain < 1)
        {
            throw new IllegalArgumentException("retain must be at least 1: " + retain);
        }
        this.dir = dataDir.resolve(DIRECTORY);
        this.retain = retain;
    }

    /**
     * A snapshot read back and bound to the log.
     *
     * @param file         where it was read from.
     * @param position     journal position it covers: replay from here.
     * @param lastPosition position of the last record it covers.
     * @param lastSequence sequence of that record.
     * @param lastChecksum CRC32C stored in that record.
     * @param payload      the state's bytes.
     */
    public record Snapshot(
        Path file, long position, long lastPosition, long lastSequence, int lastChecksum, byte[] payload)
    {
    }

    /**
     * What {@link #select(Journal, boolean)} chose and did.
     *
     * @param snapshot the snapshot to load, null for a full replay.
     * @param notes    one sentence per snapshot skipped, set aside or removed, for the recovery report.
     * @param setAside where the snapshots set aside were moved.
     */
    public record Selection(Snapshot snapshot, List<String> notes, List<Path> setAside)
    {
        public Selection
        {
            notes = List.copyOf(notes);
            setAside = List.copyOf(setAside);
        }
    }

    /**
     * Write a snapshot durably, then drop the ones beyond {@code retain}. Take it with no unit open, after a flush,
     * from {@link Journal#endPosition()}, {@link Journal#lastPosition()}, {@link Journal#lastSequence()} and
     * {@link Journal#lastChecksum()}, so that it covers durable, whole units only. A failed write removes its
     * temp file.
     *
     * @param position     journal position the state covers: the end of the last record folded in.
     * @param lastPosition position of that record.
     * @param lastSequence its sequence, at least 1.
     * @param lastChecksum the CRC32C stored in it.
     * @param payload      holding the state.
     * @param offset       of the state in payload.
     * @param length       of the state.
     * @return the file written.
     * @throws IllegalArgumentException if the binding is impossible (no record, or it does not end before position).
     */
    public Path write(
        final long position,
        final long lastPosition,
        final long lastSequence,
        final int lastChecksum,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        final Output output = begin(position, lastPosition, lastSequence, lastChecksum);
        try
        {
            final ByteBuffer body = ByteBuffer.allocateDirect(length);
            try
            {
                payload.getBytes(offset, body, length);
                body.flip();
                output.append(body);
            }
            finally
            {
                org.agrona.BufferUtil.free(body);
            }
            return output.commit();
        }
        catch (final RuntimeException ex)
        {
            output.abort(ex);
            throw ex;
        }
    }

    /**
     * Start writing a snapshot whose payload arrives in pieces ({@link Output#append(ByteBuffer)}), for a writer
     * that streams a state as it is captured. The same rules and binding as
     * {@link #write(long, long, long, int, DirectBuffer, int, int)}: nothing is visible under the snapshot's name
     * until {@link Output#commit()}.
     *
     * @param position     journal position the state covers: the end of the last record folded in.
     * @param lastPosition position of that record.
     * @param lastSequence its sequence, at least 1.
     * @param lastChecksum the CRC32C stored in it.
     * @return the open output, writing a {@code .tmp} file.
     * @throws IllegalArgumentException if the binding is impossible (no record, or it does not end before position).
     */
    public Output begin(final long position, final long lastPosition, final long lastSequence, final int lastChecksum)
    {
        if (lastSequence < 1 || lastPosition < Journal.SEGMENT_HEADER_LENGTH ||
            position < lastPosition + Journal.HEADER_LENGTH)
        {
            throw new IllegalArgumentException("a snapshot covers at least one record that ends at its position: " +
                "position=" + position + " lastPosition=" + lastPosition + " lastSequence=" + lastSequence);
        }
        final Path file = dir.resolve(String.format("snapshot-%020d.snap", position));
        final Path tmp = dir.resolve(file.getFileName() + TEMP_SUFFIX);
        try
        {
            Files.createDirectories(dir);
            final FileChannel channel = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            return new Output(file, tmp, channel, position, lastPosition, lastSequence, lastChecksum);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write snapshot at position " + position + " in " + dir, ex);
        }
    }

    /**
     * A snapshot being written: payload appended in order after room left for the header, which is written last,
     * with the payload's length and CRC32C; then fsync, rename into place, fsync of the directory, and the snapshots
     * beyond {@code retain} dropped. One thread uses it.
     */
    public final class Output
    {
        private final Path file;
        private final Path tmp;
        private final FileChannel channel;
        private final long position;
        private final long lastPosition;
        private final long lastSequence;
        private final int lastChecksum;
        private final CRC32C crc = new CRC32C();
        private long length;
        private long writtenBack;
        private boolean open = true;

        private Output(
            final Path file,
            final Path tmp,
            final FileChannel channel,
            final long position,
            final long lastPosition,
            final long lastSequence,
            final int lastChecksum)
        {
            this.file = file;
            this.tmp = tmp;
            this.channel = channel;
            this.position = position;
            this.lastPosition = lastPosition;
            this.lastSequence = lastSequence;
            this.lastChecksum = lastChecksum;
        }

        /**
         * @return payload bytes appended so far.
         */
        public long length()
        {
            return length;
        }

        /**
         * Append the remaining bytes of src to the payload; src is consumed.
         *
         * @param src bytes of the payload, in order.
         */
        public void append(final ByteBuffer src)
        {
            crc.update(src.duplicate());
            try
            {
                while (src.hasRemaining())
                {
                    length += channel.write(src, HEADER_LENGTH + length);
                }
                if (WRITE_BACK_BYTES > 0 && length - writtenBack >= WRITE_BACK_BYTES)
                {
                    channel.force(false);
                    writtenBack = length;
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write snapshot at position " + position + " to " + tmp, ex);
            }
            if (null != CRASH_AT && length > 0)
            {
                crashPoint("PAGE_WRITTEN", this);
            }
        }

        /**
         * Write the header, fsync, rename into place, fsync the directory, then drop snapshots beyond retain.
         *
         * @return the file written.
         */
        public Path commit()
        {
            try
            {
                final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
                header.putLong(0, MAGIC).putInt(8, VERSION).putInt(12, 0).putLong(16, position).putLong(24, length)
                    .putLong(32, lastPosition).putLong(40, lastSequence).putInt(48, lastChecksum)
                    .putInt(52, (int)crc.getValue()).putInt(56, 0);
                header.putInt(HEADER_CHECKSUM_OFFSET, headerChecksum(header.array()));
                int written = 0;
                while (header.hasRemaining())
                {
                    written += channel.write(header, written);
                }
                if (null != CRASH_AT)
                {
                    crashPoint("BEFORE_FSYNC", this);
                }
                channel.force(true);
                channel.close();
                open = false;
                if (null != CRASH_AT)
                {
                    crashPoint("BEFORE_RENAME", this);
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                if (null != CRASH_AT)
                {
                    crashPoint("AFTER_RENAME_BEFORE_DIR_FSYNC", this);
                }
                SegmentFiles.forceDirectory(dir);
                if (null != CRASH_AT)
                {
                    crashCountdown--;
                }

                final List<Path> all = list();
                for (int i = 0; i < all.size() - retain; i++)
                {
                    Files.deleteIfExists(all.get(i));
                }
                if (all.size() > retain)
                {
                    SegmentFiles.forceDirectory(dir);
                }
                return file;
            }
            catch (final IOException ex)
            {
                final UncheckedIOException failure = new UncheckedIOException(
                    "cannot write snapshot at position " + position + " in " + dir, ex);
                abort(failure);
                throw failure;
            }
        }

        /**
         * Give up: close and remove the temp file (a failure doing so is added to cause).
         *
         * @param cause why, which receives suppressed failures.
         */
        public void abort(final Throwable cause)
        {
            try
            {
                if (open)
                {
                    open = false;
                    channel.close();
                }
                Files.deleteIfExists(tmp);
            }
            catch (final IOException suppressed)
            {
                cause.addSuppressed(suppressed);
            }
        }
    }

    /**
     * The test-only crash point (see the class's javadoc): at the chosen step of the chosen snapshot, say so and block
     * for good, for the parent to SIGKILL this process.
     */
    private static void crashPoint(final String step, final Output output)
    {
        if (CRASH_AT.equals(step) && 1 == crashCountdown)
        {
            System.out.println("SNAPSHOT-CRASH-AT " + step + " " + output.file.getFileName());
            System.out.flush();
            while (true)
            {
                java.util.concurrent.locks.LockSupport.park();
            }
        }
    }

    /**
     * Choose the snapshot start-up loads, for the log the journal opened. Leftover {@code .tmp} files are removed.
     * Then, newest first:
     * <ol>
     *     <li>its checksums must hold and its format must be 2 (bound), else it is set aside;</li>
     *     <li>its position must not be past the end of the log ({@link Journal#endPosition()}): one that is proves
     *     that records it saw are missing (a deleted or truncated segment file), so opening is refused with a
     *     {@link JournalCorruptionException}, unless repair is on, which sets it aside;</li>
     *     <li>the log must hold its last record at the recorded position, with the recorded sequence and checksum,
     *     ending its unit exactly at the snapshot's position; else it comes from a different history (after a repair,
     *     say) and is set aside, loudly.</li>
     * </ol>
     * The first that passes is chosen. Falling back to an older snapshot or to a full replay is always safe: the log
     * is the judge.
     *
     * @param journal the open journal, before anything is appended.
     * @param repair  true to set aside, rather than refuse, a snapshot that covers more than the log holds.
     * @return the snapshot to load (null: replay the whole log), and one note per thing done.
     * @throws JournalCorruptionException when a snapshot covers more than the log holds and repair is off.
     */
    public Selection select(final Journal journal, final boolean repair)
    {
        final List<String> notes = new ArrayList<>();
        final List<Path> setAside = new ArrayList<>();
        removeTemp(notes);
        final List<Path> all = list();
        for (int i = all.size() - 1; i >= 0; i--)
        {
            final Path file = all.get(i);
            final Parsed anchor = journal.takeAnchor(file);
            final Parsed parsed = null != anchor ? anchor : parse(file);
            final String name = file.getFileName().toString();
            if (null != parsed.problem())
            {
                setAside.add(setAside(file, "Set aside snapshot " + name + ": it " + parsed.problem() + ", so it " +
                    "cannot be trusted; start-up falls back to an older snapshot or a full replay.", notes));
                continue;
            }
            if (VERSION_UNBOUND == parsed.version())
            {
                setAside.add(setAside(file, "Set aside snapshot " + name + ": it is format 1, which records no " +
                    "binding to the log, so it cannot be checked; an older bound snapshot or a full replay is " +
                    "always correct.", notes));
                continue;
            }
            final long end = journal.endPosition();
            if (parsed.position() > end)
            {
                final String evidence = "snapshot " + file + " covers the log up to position " + parsed.position() +
                    " (its last record: sequence " + parsed.lastSequence() + " at position " +
                    parsed.lastPosition() + "), but the log in " + journal.dataDir() + " ends at position " + end +
                    " (sequence " + journal.lastSequence() + "): records the snapshot saw are missing from the " +
                    "log, so a segment file was deleted or truncated";
                if (!repair)
                {
                    throw new JournalCorruptionException("Journal corruption: " + evidence + ". Restore the " +
                        "missing segment files from backup, or start with --repair to set the snapshot aside and " +
                        "start from the log as it is, losing what happened after position " + end + ".",
                        file, 0, parsed.position());
                }
                setAside.add(setAside(file, "REPAIR: set aside " + name + ": " + evidence + "; what happened " +
                    "after position " + end + " is LOST.", notes));
                continue;
            }
            final String mismatch = journal.bindingMismatch(
                parsed.lastPosition(), parsed.lastSequence(), parsed.lastChecksum(), parsed.position());
            if (null != mismatch)
            {
                setAside.add(setAside(file, "SNAPSHOT DOES NOT MATCH THE LOG: set aside " + name + ", whose last " +
                    "record is sequence " + parsed.lastSequence() + " at position " + parsed.lastPosition() +
                    " with CRC32C 0x" + SegmentHeader.hex(parsed.lastChecksum()) + ", because " + mismatch +
                    "; it was taken from a different history (after a repair, or from another log), and start-up " +
                    "falls back to an older snapshot or a full replay.", notes));
                continue;
            }
            requireChecked(journal, parsed.position());
            return new Selection(parsed.toSnapshot(file), notes, setAside);
        }
        requireChecked(journal, 0);
        return new Selection(null, notes, setAside);
    }

    /**
     * Recovery checked the log record by record only from the snapshot it chose by the same rules: a replay from
     * before that would read records nothing checked. It cannot happen while the files do not change under the lock.
     */
    private static void requireChecked(final Journal journal, final long replayFrom)
    {
        if (replayFrom < journal.checkedFromPosition())
        {
            throw new IllegalStateException("recovery checked the log in " + journal.dataDir() + " only from " +
                "position " + journal.checkedFromPosition() + ", but the snapshot chosen covers it only to position " +
                replayFrom + ": did a snapshot file change while the journal was open?");
        }
    }

    /**
     * @return the newest snapshot bound to the journal's log, without setting anything aside, null when none.
     */
    static Snapshot newestBound(final Journal journal)
    {
        final List<Path> all = list(journal.dataDir().resolve(DIRECTORY));
        for (int i = all.size() - 1; i >= 0; i--)
        {
            final Parsed parsed = parse(all.get(i));
            if (null == parsed.problem() && VERSION == parsed.version() && parsed.position() <= journal.endPosition() &&
                null == journal.bindingMismatch(
                parsed.lastPosition(), parsed.lastSequence(), parsed.lastChecksum(), parsed.position()))
            {
                return parsed.toSnapshot(all.get(i));
            }
        }
        return null;
    }

    /**
     * Set aside every snapshot that covers more than the log holds after a cut.
     *
     * @param dataDir     the data directory.
     * @param endPosition the end of the log after the cut.
     * @param why         what cut the log, as a clause.
     * @param notes       receives one sentence per snapshot set aside.
     * @return snapshots set aside.
     */
    static int setAsidePast(final Path dataDir, final long endPosition, final String why, final List<String> notes)
    {
        int count = 0;
        for (final Path file : list(dataDir.resolve(DIRECTORY)))
        {
            final long position = coveredPosition(file);
            if (position > endPosition)
            {
                setAside(file, "Set aside snapshot " + file.getFileName() + " (it covers the log up to position " +
                    position + "): " + why + ", before its end, so the state it holds is not the log's; it will " +
                    "never be used.", notes);
                count++;
            }
        }
        return count;
    }

    /**
     * The oldest snapshot kept, as retention needs it: the position of the last record it covers, read from its
     * header alone (checked by its CRC32C; the payload is not read). Any thread; the store's files may change
     * meanwhile (a newer snapshot only moves it up).
     *
     * @return lastPosition of the oldest snapshot with a sound format-2 header, -1 when there is none.
     */
    public long oldestLastPosition()
    {
        for (final Path file : list())
        {
            final ByteBuffer header;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                header = readHeader(channel);
            }
            catch (final IOException ex)
            {
                continue; // removed meanwhile by a newer snapshot's retain, or unreadable: not kept
            }
            if (!header.hasRemaining() && header.getLong(0) == MAGIC && header.getInt(8) == VERSION &&
                header.getInt(HEADER_CHECKSUM_OFFSET) == headerChecksum(header.array()))
            {
                return header.getLong(32);
            }
        }
        return -1;
    }

    /**
     * A snapshot file as listed for an operator: its header read and checked, its payload not read.
     *
     * @param file         the file.
     * @param position     journal position it covers (-1 when its header is unsound).
     * @param lastSequence sequence of the last record it covers.
     * @param bytes        payload bytes the header announces.
     * @param writtenAtMs  the file's modification time, epoch milliseconds.
     * @param problem      what is wrong with its header or length, null when nothing: start-up skips it.
     */
    public record Listed(Path file, long position, long lastSequence, long bytes, long writtenAtMs, String problem)
    {
    }

    /**
     * The snapshots in {@code data_dir/snapshots}, newest first, each checked by its header only (magic, format,
     * header CRC32C, length): cheap whatever their size. Start-up also checks the payload's CRC32C and the binding to
     * the log ({@link #select(Journal, boolean)}), so a file listed sound can still be set aside there.
     *
     * @param dataDir the data directory.
     * @return the snapshots, newest first.
     */
    public static List<Listed> describe(final Path dataDir)
    {
        final List<Path> all = list(dataDir.resolve(DIRECTORY));
        final List<Listed> listed = new ArrayList<>(all.size());
        for (int i = all.size() - 1; i >= 0; i--)
        {
            final Listed one = describeOne(all.get(i));
            if (null != one)
            {
                listed.add(one);
            }
        }
        return listed;
    }

    /**
     * @return the file as listed, null when it is gone.
     */
    private static Listed describeOne(final Path file)
    {
        long writtenAtMs = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            writtenAtMs = Files.getLastModifiedTime(file).toMillis();
            final long size = channel.size();
            final ByteBuffer header = readHeader(channel);
            final String problem;
            if (header.position() < 12 || header.getLong(0) != MAGIC)
            {
                problem = "not a snapshot file (bad magic or " + size + " bytes)";
            }
            else if (header.getInt(8) == VERSION_UNBOUND)
            {
                problem = "format 1, bound to no log position";
            }
            else if (header.getInt(8) != VERSION)
            {
                problem = "unknown format version " + header.getInt(8);
            }
            else if (header.position() < HEADER_LENGTH)
            {
                problem = size + " bytes, shorter than its header";
            }
            else
            {
                if (header.getInt(HEADER_CHECKSUM_OFFSET) != headerChecksum(header.array()))
                {
                    problem = "header fails its CRC32C";
                }
                else if (header.getLong(24) != size - HEADER_LENGTH)
                {
                    problem = "header says " + header.getLong(24) + " payload bytes, the file holds " +
                        (size - HEADER_LENGTH);
                }
                else
                {
                    return new Listed(file, header.getLong(16), header.getLong(40), header.getLong(24), writtenAtMs,
                        null);
                }
            }
            return new Listed(file, positionFromName(file), 0, Math.max(0, size - HEADER_LENGTH), writtenAtMs,
                problem);
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            return null; // dropped by retention since it was listed
        }
        catch (final IOException ex)
        {
            return new Listed(file, positionFromName(file), 0, 0, writtenAtMs, "cannot be read (" + ex + ")");
        }
    }

    /**
     * @return snapshot files in {@code snapshots/}, oldest first (set-aside ones excluded).
     */
    public List<Path> list()
    {
        return list(dir);
    }

    /**
     * @return snapshots set aside, oldest first by name.
     */
    public List<Path> listSetAside()
    {
        return listMatching(dir.resolve(SET_ASIDE_DIRECTORY), Pattern.compile("snapshot-\\d{20}\\.snap(\\.\\d+)?"));
    }

    static List<Path> list(final Path snapshotDir)
    {
        return listMatching(snapshotDir, NAME);
    }

    static List<Path> listTemp(final Path snapshotDir)
    {
        return listMatching(snapshotDir, TEMP_NAME);
    }

    private void removeTemp(final List<String> notes)
    {
        for (final Path temp : listTemp(dir))
        {
            SegmentFiles.delete(temp);
            notes.add("Removed " + DIRECTORY + "/" + temp.getFileName() + ", a snapshot whose writing was " +
                "interrupted (it was never renamed into place, so it was never used).");
        }
    }

    private static Path setAside(final Path file, final String note, final List<String> notes)
    {
        final Path target = setAsideTarget(file);
        try
        {
            Files.createDirectories(target.getParent());
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            SegmentFiles.forceDirectory(target.getParent());
            SegmentFiles.forceDirectory(file.getParent());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot set aside snapshot " + file + " to " + target, ex);
        }
        notes.add(note + " (Moved to " + DIRECTORY + "/" + SET_ASIDE_DIRECTORY + "/" + target.getFileName() + ".)");
        return target;
    }

    private static Path setAsideTarget(final Path file)
    {
        final Path dir = file.getParent().resolve(SET_ASIDE_DIRECTORY);
        Path target = dir.resolve(file.getFileName());
        for (int i = 1; Files.exists(target); i++)
        {
            target = dir.resolve(file.getFileName() + "." + i);
        }
        return target;
    }

    /**
     * @return the position a snapshot file covers, from its header when that is sound, else from its name.
     */
    private static long coveredPosition(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer header = readHeader(channel);
            if (header.position() >= 24 && header.getLong(0) == MAGIC)
            {
                final int version = header.getInt(8);
                if (VERSION_UNBOUND == version ||
                    (VERSION == version && header.position() == HEADER_LENGTH &&
                    header.getInt(HEADER_CHECKSUM_OFFSET) == headerChecksum(header.array())))
                {
                    return header.getLong(16);
                }
            }
        }
        catch (final IOException ex)
        {
            // fall back to the name
        }
        return positionFromName(file);
    }

    private static long positionFromName(final Path file)
    {
        final Matcher matcher = NAME.matcher(file.getFileName().toString());
        return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
    }

    private static List<Path> listMatching(final Path dir, final Pattern pattern)
    {
        final List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir))
        {
            return files;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir))
        {
            for (final Path file : stream)
            {
                if (pattern.matcher(file.getFileName().toString()).matches() && Files.isRegularFile(file))
                {
                    files.add(file);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + dir, ex);
        }
        files.sort(Comparator.comparing(file -> file.getFileName().toString()));
        return files;
    }

    /**
     * A snapshot file as read: its header fields, payload, and what is wrong with it (null when nothing).
     */
    record Parsed(
        int version,
        long position,
        long lastPosition,
        long lastSequence,
        int lastChecksum,
        byte[] payload,
        String problem)
    {
        Snapshot toSnapshot(final Path file)
        {
            return new Snapshot(file, position, lastPosition, lastSequence, lastChecksum, payload);
        }

        static Parsed bad(final String problem)
        {
            return new Parsed(0, 0, 0, 0, 0, null, problem);
        }
    }

    /**
     * Read and check a snapshot file: magic, format, header checksum, length, payload checksum. The payload is read
     * straight into its own array (a snapshot of a large state is hundreds of MiB: no second copy).
     */
    static Parsed parse(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            final ByteBuffer header = ByteBuffer.allocate((int)Math.min(HEADER_LENGTH, size))
                .order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, header, 0);
            final byte[] headerBytes = header.array();
            if (size < 12 || header.getLong(0) != MAGIC)
            {
                return Parsed.bad("fails its checksum (not a snapshot file: bad magic or " + size + " bytes)");
            }
            final int version = header.getInt(8);
            if (VERSION_UNBOUND == version)
            {
                return new Parsed(version, size >= 24 ? header.getLong(16) : -1, 0, 0, 0, null, null);
            }
            if (VERSION != version)
            {
                return Parsed.bad("has unknown format version " + version);
            }
            if (size < HEADER_LENGTH)
            {
                return Parsed.bad("fails its checksum (" + size + " bytes, shorter than its header)");
            }
            final int headerChecksum = headerChecksum(headerBytes);
            if (header.getInt(HEADER_CHECKSUM_OFFSET) != headerChecksum)
            {
                return Parsed.bad("fails its checksum (header CRC32C 0x" +
                    SegmentHeader.hex(header.getInt(HEADER_CHECKSUM_OFFSET)) + " stored, 0x" +
                    SegmentHeader.hex(headerChecksum) + " computed)");
            }
            final long length = header.getLong(24);
            if (length != size - HEADER_LENGTH)
            {
                return Parsed.bad("fails its checksum (header says " + length + " payload bytes, the file holds " +
                    (size - HEADER_LENGTH) + ")");
            }
            if (length > Integer.MAX_VALUE - 8)
            {
                return Parsed.bad("cannot be read (a payload of " + length + " bytes is larger than one array)");
            }
            final byte[] payload = new byte[(int)length];
            readFully(channel, ByteBuffer.wrap(payload), HEADER_LENGTH);
            final CRC32C crc = new CRC32C();
            crc.update(payload, 0, payload.length);
            if (header.getInt(52) != (int)crc.getValue())
            {
                return Parsed.bad("fails its checksum (payload CRC32C 0x" + SegmentHeader.hex(header.getInt(52)) +
                    " stored, 0x" + SegmentHeader.hex((int)crc.getValue()) + " computed)");
            }
            return new Parsed(VERSION, header.getLong(16), header.getLong(32), header.getLong(40), header.getInt(48),
                payload, null);
        }
        catch (final IOException ex)
        {
            return Parsed.bad("cannot be read (" + ex + ")");
        }
    }

    /**
     * @return a file's header, or as much of it as the file holds (the buffer's position says how much).
     */
    private static ByteBuffer readHeader(final FileChannel channel) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        while (header.hasRemaining() && channel.read(header, header.position()) > 0)
        {
            // until the header is read or the file ends
        }
        return header;
    }

    /**
     * @return the CRC32C a header stores at {@code HEADER_CHECKSUM_OFFSET}: of its bytes before that offset.
     */
    private static int headerChecksum(final byte[] header)
    {
        final CRC32C crc = new CRC32C();
        crc.update(header, 0, HEADER_CHECKSUM_OFFSET);
        return (int)crc.getValue();
    }

    private static void readFully(final FileChannel channel, final ByteBuffer into, final long position)
        throws IOException
    {
        while (into.hasRemaining())
        {
            if (channel.read(into, position + into.position()) < 0)
            {
                throw new IOException("the file ended " + into.remaining() + " bytes early");
            }
        }
    }
}
