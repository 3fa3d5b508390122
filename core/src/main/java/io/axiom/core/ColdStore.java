package io.axiom.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.IoUtil;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Where ended workflows go when they leave the heap ({@code retention.in-memory} after they ended), readable by id
 * until {@code retention.history} after they left: files under {@code <data-dir>/cold/}, nothing on the heap per
 * workflow.
 * <p>
 * <b>Files.</b> {@code records-<n>-<ms>}: append-only, one record per retired workflow: payload length (int),
 * CRC32C (int) over the id and the payload, workflow id (long), then the payload, the workflow's snapshot record
 * ({@link SnapshotCodec#writeWorkflow}). {@code <ms>} is the time of the WorkflowRetired event that opened the file;
 * a file is rolled at {@link #MAX_FILE_BYTES} or after {@code retention.history / 16}. {@code index}: a sparse
 * file of 8-byte slots by id - 1, memory-mapped a region of 2^20 ids at a time: 0 = never retired, else the file
 * number (high int) and offset (low int) of the workflow's record.
 * <p>
 * <p>
 * <b>Idempotency keys.</b> {@code keys-<n>}, one per records file, is an open-addressing table (linear probing) of
 * {@link #KEY_SLOTS} 16-byte slots, memory-mapped whole and sparse on disk: a 64-bit hash of a retired workflow's
 * create key (UTF-8; 0 = empty slot) and the workflow's id, the key itself being in the workflow's record. A look-up
 * ({@link #findKey}) probes the tables newest first, each up to its first empty slot, and confirms a hash hit by
 * reading the record and comparing its key, so two keys of one hash never merge; it allocates nothing. Growth is by
 * file: the records file is rolled before its table would hold more than {@link #MAX_KEYS} keys (half full) or a
 * key would land more than {@link #MAX_PROBE} slots from its home, so every table stays sparse and short to probe,
 * and is deleted with its records file. The cost of a miss is a few slots in each table (tables kept = records
 * files kept).
 * <p>
 * <b>History.</b> File n is deleted whole (records, then keys) once the file after it was opened
 * {@code retention.history} ago: every record in it left the heap at least that long ago, and at most
 * {@code retention.history / 16} more. A slot pointing into a deleted file (a number below the first file left)
 * reads as gone, and the keys of its workflows are unknown again.
 * <p>
 * <b>Crash consistency.</b> Nothing is forced on the processor's path: a record is written (pwrite) and its slot set
 * when the WorkflowRetired event is applied, live and in replay alike, and applying it again finds the valid record
 * and keeps it (a torn or missing one is written again; a slot into a deleted file stays gone); its key's slot is
 * put after the record (the id, then the hash), and again on a replay when it is missing (a torn slot's hash finds
 * no record with that key, so it is never an answer). The log holds the
 * events, so a crash loses nothing that replay cannot rewrite, as long as no snapshot lacking a workflow is published
 * before that workflow's record is durable: the {@link SnapshotWriter} calls {@link #force()} before it commits a
 * snapshot (records, the id index and the key tables; a rolled file and its table are forced when it is rolled).
 * <p>
 * Written and read by the processor thread only, but for {@link #force()}, which the snapshot writer's thread calls.
 */
final class ColdStore implements AutoCloseable
{
    static final String DIRECTORY = "cold";
    static final long MAX_FILE_BYTES = 64L * 1024 * 1024;
    /** {@link #read}: the record is in {@link #record()}. */
    static final int FOUND = 0;
    /** {@link #read}: the workflow never left the heap (or never existed). */
    static final int NONE = 1;
    /** {@link #read}: its record was deleted with its file: it left the heap more than retention.history ago. */
    static final int GONE = 2;

    private static final int RECORD_HEADER = 16;
    private static final int REGION_SHIFT = 20;
    private static final int REGION_IDS = 1 << REGION_SHIFT;
    private static final long REGION_BYTES = 8L * REGION_IDS;
    private static final String INDEX = "index";
    private static final String PREFIX = "records-";
    private static final String KEYS_PREFIX = "keys-";
    /** Slots of one key table: 16 MiB of sparse file. */
    static final int KEY_SLOTS = 1 << 20;
    /** Keys a table takes before its records file is rolled: at most half full. */
    static final int MAX_KEYS = KEY_SLOTS / 2;
    /** Longest probe a new key may need in the current table; a longer one rolls the records file first. */
    static final int MAX_PROBE = 64;
    private static final int KEY_SLOT_BYTES = 16;
    private static final long KEY_TABLE_BYTES = (long)KEY_SLOTS * KEY_SLOT_BYTES;

    private final Path dir;
    private final long historyMs;
    private final long rollMs;
    private FileChannel index;
    private volatile MappedByteBuffer[] regions = new MappedByteBuffer[0];
    private UnsafeBuffer[] regionViews = new UnsafeBuffer[0];
    /** Open files, oldest first: file numbers firstFile, firstFile + 1, ... */
    private final ArrayList<FileChannel> files = new ArrayList<>();
    private final LongArrayList fileStartMs = new LongArrayList();
    private int firstFile = 1;
    private volatile FileChannel current;
    private long currentLength;
    private long bytes;
    private long deletedFiles;
    /** Key tables, by file as {@link #files}. */
    private final ArrayList<UnsafeBuffer> keyTables = new ArrayList<>();
    /** The key tables' mappings, published for {@link #force()}. */
    private volatile MappedByteBuffer[] keyMaps = new MappedByteBuffer[0];
    /** Keys in the current file's table. */
    private int currentKeys;
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(4096);
    private ByteBuffer scratchSource;
    private ByteBuffer scratchView;
    private final ExpandableArrayBuffer keyBytes = new ExpandableArrayBuffer(1024);
    private int keyLength;
    private final UnsafeBuffer record = new UnsafeBuffer(0, 0);
    private final CRC32C crc = new CRC32C();

    /**
     * Open (or create) the cold store of a data directory.
     *
     * @param dataDir   the engine's data directory.
     * @param historyMs how long a record stays after its workflow left the heap; Long.MAX_VALUE = for ever.
     */
    ColdStore(final Path dataDir, final long historyMs)
    {
        this.dir = dataDir.resolve(DIRECTORY);
        this.historyMs = historyMs;
        this.rollMs = Math.max(1, historyMs / 16);
        if (!Files.isDirectory(dir))
        {
            return; // nothing retired yet: the directory and the index are made by the first write
        }
        try
        {
            openIndex();
            final ArrayList<Path> found = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, PREFIX + "*"))
            {
                stream.forEach(found::add);
            }
            found.sort((a, b) -> Long.compare(fileNumber(a), fileNumber(b)));
            for (final Path path : found)
            {
                final int number = fileNumber(path);
                if (files.isEmpty())
                {
                    firstFile = number;
                }
                else if (number != firstFile + files.size())
                {
                    throw new IllegalStateException("cold store " + dir + " has a gap before " + path.getFileName() +
                        " (file " + (firstFile + files.size()) + " is missing): it cannot tell gone from missing");
                }
                final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                files.add(channel);
                fileStartMs.addLong(fileStart(path));
                bytes += channel.size();
            }
            if (!files.isEmpty())
            {
                current = files.get(files.size() - 1);
                currentLength = current.size();
            }
            openKeyTables();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the cold store in " + dir, ex);
        }
    }

    /**
     * The key table of every records file (created empty if a crash came between the two files), and away with the
     * tables whose records file is gone (a crash between deleting one and the other).
     */
    private void openKeyTables() throws IOException
    {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, KEYS_PREFIX + "*"))
        {
            for (final Path path : stream)
            {
                final int number = keysFileNumber(path);
                if (files.isEmpty() || number < firstFile || number >= firstFile + files.size())
                {
                    Files.delete(path);
                }
            }
        }
        for (int i = 0; i < files.size(); i++)
        {
            mapKeyTable(firstFile + i);
        }
        if (!keyTables.isEmpty())
        {
            final UnsafeBuffer table = keyTables.get(keyTables.size() - 1);
            for (int i = 0; i < KEY_SLOTS; i++)
            {
                if (0 != table.getLong(i * KEY_SLOT_BYTES))
                {
                    currentKeys++;
                }
            }
        }
    }

    private void mapKeyTable(final int number) throws IOException
    {
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(dir.resolve(KEYS_PREFIX + String.format("%010d", number)),
            StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, KEY_TABLE_BYTES);
        }
        keyTables.add(new UnsafeBuffer(mapped));
        final MappedByteBuffer[] published = java.util.Arrays.copyOf(keyMaps, keyMaps.length + 1);
        published[keyMaps.length] = mapped;
        keyMaps = published;
    }

    private static int keysFileNumber(final Path path)
    {
        try
        {
            return Integer.parseInt(path.getFileName().toString().substring(KEYS_PREFIX.length()));
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalStateException("cold store file " + path + " is not named keys-<n>", ex);
        }
    }

    private void openIndex() throws IOException
    {
        if (null == index)
        {
            Files.createDirectories(dir);
            index = FileChannel.open(dir.resolve(INDEX), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        }
    }

    private static int fileNumber(final Path path)
    {
        final String name = path.getFileName().toString();
        final int dash = name.indexOf('-', PREFIX.length());
        try
        {
            return Integer.parseInt(name.substring(PREFIX.length(), dash));
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalStateException("cold store file " + path + " is not named records-<n>-<ms>", ex);
        }
    }

    private static long fileStart(final Path path)
    {
        final String name = path.getFileName().toString();
        return Long.parseLong(name.substring(name.indexOf('-', PREFIX.length()) + 1));
    }

    /**
     * Keep a workflow that leaves the heap; idempotent: a valid record already there (or one already deleted by
     * history) is kept.
     *
     * @param w       the ended workflow.
     * @param retired the WorkflowRetired event's time.
     */
    void write(final Workflow w, final long retired)
    {
        final long hash = null == w.createKey ? 0 : keyHash(w.createKey);
        final long slot = slot(w.id);
        if (0 != slot && (fileOf(slot) < firstFile || valid(slot, w.id)))
        {
            if (0 != hash && fileOf(slot) >= firstFile)
            {
                putKey(fileOf(slot) - firstFile, hash, w.id); // a replay after a crash: its slot may be missing
            }
            return;
        }
        final int payload = SnapshotCodec.workflowLength(w);
        final int length = RECORD_HEADER + payload;
        scratch.checkLimit(length);
        scratch.putLong(8, w.id);
        SnapshotCodec.writeWorkflow(scratch, RECORD_HEADER, w);
        scratch.putInt(0, payload);
        crc.reset();
        final ByteBuffer bb = scratchView();
        bb.limit(length).position(8);
        crc.update(bb);
        scratch.putInt(4, (int)crc.getValue());
        try
        {
            if (null == current || currentLength + length > MAX_FILE_BYTES ||
                (historyMs != Long.MAX_VALUE && retired >= fileStartMs.getLong(files.size() - 1) + rollMs) ||
                (0 != hash && (currentKeys >= MAX_KEYS || probeLength(keyTables.size() - 1, hash) > MAX_PROBE)))
            {
                roll(retired);
            }
            bb.limit(length).position(0);
            final long offset = currentLength;
            while (bb.hasRemaining())
            {
                current.write(bb, offset + bb.position());
            }
            currentLength += length;
            bytes += length;
            setSlot(w.id, (long)(firstFile + files.size() - 1) << 32 | offset);
            if (0 != hash)
            {
                putKey(keyTables.size() - 1, hash, w.id);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write workflow " + w.id + " to the cold store in " + dir, ex);
        }
    }

    /**
     * The workflow a create's Idempotency-Key created, among the retired ones whose records are kept.
     *
     * @param key the key.
     * @return the workflow's id, or -1 when no kept record has that key.
     */
    long findKey(final String key)
    {
        if (keyTables.isEmpty())
        {
            return -1;
        }
        final long hash = keyHash(key);
        for (int t = keyTables.size() - 1; t >= 0; t--)
        {
            final UnsafeBuffer table = keyTables.get(t);
            for (int i = home(hash), probes = 0; probes < KEY_SLOTS; i = (i + 1) & (KEY_SLOTS - 1), probes++)
            {
                final long found = table.getLongVolatile(i * KEY_SLOT_BYTES);
                if (0 == found)
                {
                    break;
                }
                if (found == hash)
                {
                    final long id = table.getLong(i * KEY_SLOT_BYTES + 8);
                    if (hasKey(id))
                    {
                        return id;
                    }
                }
            }
        }
        return -1;
    }

    /**
     * @return true when a kept record of that id has the key in {@link #keyBytes}.
     */
    private boolean hasKey(final long id)
    {
        final long slot = slot(id);
        if (0 == slot || fileOf(slot) < firstFile || !valid(slot, id))
        {
            return false;
        }
        final int length = record.getInt(SnapshotCodec.WORKFLOW_FIXED);
        if (length != keyLength)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (record.getByte(SnapshotCodec.WORKFLOW_FIXED + 4 + i) != keyBytes.getByte(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Encodes a key into {@link #keyBytes} and hashes its bytes (FNV-1a, then a 64-bit finaliser); never 0.
     */
    long keyHash(final String key)
    {
        keyLength = SnapshotCodec.putUtf8(keyBytes, 0, key);
        long h = 0xCBF29CE484222325L;
        for (int i = 0; i < keyLength; i++)
        {
            h = (h ^ (keyBytes.getByte(i) & 0xFF)) * 0x100000001B3L;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return 0 == h ? 1 : h;
    }

    private static int home(final long hash)
    {
        return (int)hash & (KEY_SLOTS - 1);
    }

    /**
     * @return slots a put of that hash would look at in a table before it finds an empty one.
     */
    private int probeLength(final int table, final long hash)
    {
        final UnsafeBuffer keys = keyTables.get(table);
        int probes = 1;
        for (int i = home(hash); 0 != keys.getLong(i * KEY_SLOT_BYTES) && probes <= KEY_SLOTS;
            i = (i + 1) & (KEY_SLOTS - 1))
        {
            probes++;
        }
        return probes;
    }

    /**
     * Put a key's slot (the id, then the hash) unless the table has it already.
     */
    void putKey(final int table, final long hash, final long id)
    {
        final UnsafeBuffer keys = keyTables.get(table);
        for (int i = home(hash), probes = 0; probes < KEY_SLOTS; i = (i + 1) & (KEY_SLOTS - 1), probes++)
        {
            final int at = i * KEY_SLOT_BYTES;
            final long found = keys.getLong(at);
            if (0 == found)
            {
                keys.putLong(at + 8, id);
                keys.putLongVolatile(at, hash);
                if (table == keyTables.size() - 1)
                {
                    currentKeys++;
                }
                return;
            }
            if (found == hash && keys.getLong(at + 8) == id)
            {
                return;
            }
        }
        throw new IllegalStateException("cold store key table " + (firstFile + table) + " in " + dir + " is full");
    }

    /**
     * @return a view of the scratch's memory, made again only when the scratch grew.
     */
    private ByteBuffer scratchView()
    {
        final ByteBuffer source = scratch.byteBuffer();
        if (source != scratchSource)
        {
            scratchSource = source;
            scratchView = source.duplicate().order(ByteOrder.nativeOrder());
        }
        return scratchView.clear();
    }

    /**
     * Read a retired workflow's record.
     *
     * @param id a workflow id.
     * @return {@link #FOUND} (the payload is then {@link #record()}), {@link #NONE} or {@link #GONE}.
     */
    int read(final long id)
    {
        final long slot = slot(id);
        if (0 == slot)
        {
            return NONE;
        }
        if (fileOf(slot) < firstFile)
        {
            return GONE;
        }
        if (!valid(slot, id))
        {
            throw new IllegalStateException("cold store record of workflow " + id + " in file " + fileOf(slot) +
                " at offset " + (slot & 0xFFFF_FFFFL) + " is torn or corrupt (a crash before the snapshot that " +
                "needed it was published would be a bug): restore " + dir + " or recover it from the log");
        }
        return FOUND;
    }

    /**
     * @return the payload of the last record {@link #read} found; valid until the next call.
     */
    DirectBuffer record()
    {
        return record;
    }

    /**
     * Reads the record a slot points at into the scratch and checks it.
     */
    private boolean valid(final long slot, final long id)
    {
        final FileChannel channel = files.get(fileOf(slot) - firstFile);
        final long offset = slot & 0xFFFF_FFFFL;
        try
        {
            final long size = channel.size();
            if (offset + RECORD_HEADER > size)
            {
                return false;
            }
            ByteBuffer bb = scratchView();
            bb.limit(RECORD_HEADER).position(0);
            readFully(channel, bb, offset);
            final int payload = scratch.getInt(0);
            if (payload < 0 || offset + RECORD_HEADER + payload > size || scratch.getLong(8) != id)
            {
                return false;
            }
            scratch.checkLimit(RECORD_HEADER + payload);
            bb = scratchView();
            bb.limit(RECORD_HEADER + payload).position(RECORD_HEADER);
            readFully(channel, bb, offset);
            bb.limit(RECORD_HEADER + payload).position(8);
            crc.reset();
            crc.update(bb);
            if ((int)crc.getValue() != scratch.getInt(4))
            {
                return false;
            }
            record.wrap(scratch, RECORD_HEADER, payload);
            return true;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the cold store in " + dir, ex);
        }
    }

    private static void readFully(final FileChannel channel, final ByteBuffer bb, final long fileOffset)
        throws IOException
    {
        while (bb.hasRemaining())
        {
            if (channel.read(bb, fileOffset + bb.position()) < 0)
            {
                throw new IOException("end of file at " + (fileOffset + bb.position()));
            }
        }
    }

    /**
     * Delete the files whose records all left the heap more than retention.history ago, and roll a current file
     * that is due, so that it can go in its turn. Not in the log: the clock decides, live only.
     *
     * @param nowMs the time.
     * @return files deleted.
     */
    int expire(final long nowMs)
    {
        if (historyMs == Long.MAX_VALUE || files.isEmpty())
        {
            return 0;
        }
        try
        {
            if (currentLength > 0 && nowMs >= fileStartMs.getLong(files.size() - 1) + rollMs)
            {
                roll(nowMs);
            }
            int deleted = 0;
            while (files.size() > 1 && nowMs - historyMs >= fileStartMs.getLong(1))
            {
                final FileChannel oldest = files.remove(0);
                final long start = fileStartMs.removeAt(0);
                bytes -= oldest.size();
                oldest.close();
                Files.delete(dir.resolve(name(firstFile, start)));
                keyTables.remove(0); // unmapped when collected: the snapshot writer's force() may still hold it
                keyMaps = java.util.Arrays.copyOfRange(keyMaps, 1, keyMaps.length);
                Files.delete(dir.resolve(KEYS_PREFIX + String.format("%010d", firstFile)));
                firstFile++;
                deleted++;
                deletedFiles++;
            }
            return deleted;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot expire cold store files in " + dir, ex);
        }
    }

    private void roll(final long startMs) throws IOException
    {
        openIndex();
        if (null != current)
        {
            current.force(false);
            keyMaps[keyMaps.length - 1].force();
        }
        final int number = firstFile + files.size();
        final FileChannel channel = FileChannel.open(dir.resolve(name(number, startMs)), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE);
        files.add(channel);
        fileStartMs.addLong(startMs);
        mapKeyTable(number);
        currentKeys = 0;
        currentLength = 0;
        current = channel;
        forceDirectory();
    }

    private static String name(final int number, final long startMs)
    {
        return PREFIX + String.format("%010d", number) + "-" + startMs;
    }

    private void forceDirectory() throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /**
     * Make every record written so far durable, and the index slots pointing at them: called by the snapshot
     * writer's thread before a snapshot is committed.
     */
    void force()
    {
        try
        {
            final FileChannel file = current;
            if (null != file && file.isOpen())
            {
                file.force(false);
            }
            for (final MappedByteBuffer region : regions)
            {
                if (null != region)
                {
                    region.force();
                }
            }
            for (final MappedByteBuffer keys : keyMaps)
            {
                keys.force();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot force the cold store in " + dir, ex);
        }
    }

    private static int fileOf(final long slot)
    {
        return (int)(slot >>> 32);
    }

    private long slot(final long id)
    {
        final long i = id - 1;
        if (i < 0)
        {
            return 0;
        }
        final int region = (int)(i >>> REGION_SHIFT);
        try
        {
            if (region >= regionViews.length || null == regionViews[region])
            {
                if (null == index || index.size() < (region + 1) * REGION_BYTES)
                {
                    return 0;
                }
                map(region);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the cold store index in " + dir, ex);
        }
        return regionViews[region].getLongVolatile((int)((i & (REGION_IDS - 1)) << 3));
    }

    private void setSlot(final long id, final long value) throws IOException
    {
        final long i = id - 1;
        final int region = (int)(i >>> REGION_SHIFT);
        if (region >= regionViews.length || null == regionViews[region])
        {
            map(region);
        }
        regionViews[region].putLongVolatile((int)((i & (REGION_IDS - 1)) << 3), value);
    }

    private void map(final int region) throws IOException
    {
        if (region >= regionViews.length)
        {
            final int length = Math.max(region + 1, 2 * regionViews.length);
            regionViews = java.util.Arrays.copyOf(regionViews, length);
            regions = java.util.Arrays.copyOf(regions, length);
        }
        final MappedByteBuffer mapped = index.map(FileChannel.MapMode.READ_WRITE, region * REGION_BYTES, REGION_BYTES);
        regionViews[region] = new UnsafeBuffer(mapped);
        final MappedByteBuffer[] published = regions.clone();
        published[region] = mapped;
        regions = published;
    }

    /**
     * @return bytes of record files on disk (the index, sparse, not counted).
     */
    long bytes()
    {
        return bytes;
    }

    /**
     * @return record files deleted by history since start.
     */
    long deletedFiles()
    {
        return deletedFiles;
    }

    public void close()
    {
        try
        {
            force();
            for (final FileChannel file : files)
            {
                file.close();
            }
            files.clear();
            current = null;
            for (final MappedByteBuffer region : regions)
            {
                if (null != region)
                {
                    IoUtil.unmap(region);
                }
            }
            regions = new MappedByteBuffer[0];
            regionViews = new UnsafeBuffer[0];
            for (final MappedByteBuffer keys : keyMaps)
            {
                IoUtil.unmap(keys);
            }
            keyMaps = new MappedByteBuffer[0];
            keyTables.clear();
            if (null != index)
            {
                index.close();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot close the cold store in " + dir, ex);
        }
    }
}
