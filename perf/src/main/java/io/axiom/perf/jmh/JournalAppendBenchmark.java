package io.axiom.perf.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.axiom.journal.Journal;
import io.axiom.journal.JournalClaim;
import io.axiom.journal.JournalContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CPU cost of framing one record: {@code claim} + copy of the payload + {@code commit} (CRC32C, release store of the
 * length), fsync off so the device is out of the picture. A fresh log per iteration keeps the disk use bounded;
 * segment rotations (zero-fill of the next 64 MiB file) stay in, as in production.
 * <p>
 * Run: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp perf/target/axiom-perf-0.1.0-SNAPSHOT.jar:
 * perf/target/lib/* org.openjdk.jmh.Main JournalAppendBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
public class JournalAppendBenchmark
{
    @Param({"128"})
    public int payloadLength;

    private Path dir;
    private Journal journal;
    private final JournalClaim claim = new JournalClaim();
    private UnsafeBuffer payload;

    @Setup(Level.Iteration)
    public void open() throws IOException
    {
        dir = Files.createTempDirectory("axiom-jmh-journal-");
        journal = Journal.open(new JournalContext().dataDir(dir).fsync(false).conclude());
        payload = new UnsafeBuffer(ByteBuffer.allocateDirect(payloadLength));
        for (int i = 0; i < payloadLength; i++)
        {
            payload.putByte(i, (byte)i);
        }
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException
    {
        journal.close();
        try (var paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public long claimCommit()
    {
        final long position = journal.claim(payloadLength, 1, 1, position(), claim);
        claim.buffer().putBytes(claim.offset(), payload, 0, payloadLength);
        claim.commit();
        journal.endUnit(); // each record a one-record unit, as the engine's smallest command
        return position;
    }

    private long position()
    {
        return 0;
    }
}
