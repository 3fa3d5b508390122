package io.axiom.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.WorkflowView;
import io.axiom.journal.JournalInspector;
import io.axiom.journal.SegmentArchive;
import io.axiom.journal.VerifyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention under real crashes: an engine process that archives and recycles segments all the time (history of 1 s)
 * is SIGKILLed at seeded random moments; after every kill the engine starts from its archived prefix and every
 * acknowledged workflow is there with its name and its WorkflowCreated event (read back from an archive when its
 * segment was archived), and {@code wal verify} of the stopped directory is clean. Reproduce with {@code
 * -Daxiom.test.seed=N}.
 */
class RetentionCrashTest
{
    private static final int ROUNDS = 12;

    @TempDir
    Path dir;

    @RegisterExtension
    final CrashRounds crash = new CrashRounds();

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyAcknowledgedWorkflowSurvivesSigkillWhileSegmentsAreArchived() throws Exception
    {
        final long seed = CrashRounds.seed("RetentionCrashTest");
        final Random random = new Random(seed);
        final Path dataDir = dir.resolve("data");
        final Map<Long, String> acknowledged = new TreeMap<>();
        long next = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final String where = "seed=" + seed + " round " + round;
            final int acksWanted = 50 + random.nextInt(400);
            crash.killAfterAcks(ChildJvmCommand.of(RetentionCrashChild.class, dataDir.toString(), Long.toString(next)),
                dir.resolve("child-" + round + ".err"), where, acksWanted,
                f ->
                {
                    if (f.length != 3)
                    {
                        return false;
                    }
                    acknowledged.put(Long.parseLong(f[1]), f[2]);
                    return true;
                },
                () -> LockSupport.parkNanos(random.nextInt(20_000_000)));
            next += acksWanted + 1_000;
            check(dataDir, acknowledged, where);
        }
        final int archives = SegmentArchive.list(dataDir.resolve("archive")).size();
        System.out.println("RetentionCrashTest: " + ROUNDS + " kills, " + acknowledged.size() + " workflows, " +
            archives + " segments archived, seed=" + seed);
        assertTrue(archives > 3, "segments were archived: " + archives);
    }

    private static void check(final Path dataDir, final Map<Long, String> acknowledged, final String where)
    {
        final Engine engine = Engine.launch(RetentionCrashChild.context(dataDir));
        try
        {
            EngineFixture.await("recovery", () -> engine.isReady() || null != engine.failure());
            assertEquals(null, engine.failure(), where + ": recovery failed");
            final EngineClient client = engine.client();
            for (final Map.Entry<Long, String> e : acknowledged.entrySet())
            {
                final EngineReply reply = client.get(e.getKey(), TIMEOUT);
                assertTrue(reply instanceof EngineReply.Workflow, where + ": workflow " + e.getKey() + ": " + reply);
                final WorkflowView view = ((EngineReply.Workflow)reply).workflow();
                assertEquals(e.getValue(), view.name(), where);
                assertEquals(RetentionCrashChild.INPUT.length, view.inputJson().length(), where);
            }
            final long first = acknowledged.keySet().iterator().next();
            final List<EventView> events = ((EngineReply.Events)client.events(first, TIMEOUT)).events();
            assertEquals("WorkflowCreated", events.get(0).type(), where + ": the first workflow's creation");
        }
        finally
        {
            engine.close();
        }
        final VerifyReport report = JournalInspector.verify(dataDir);
        assertTrue(report.ok(), where + ": " + report.faults());
    }
}
