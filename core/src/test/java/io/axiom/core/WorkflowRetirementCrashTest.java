package io.axiom.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.Status;
import io.axiom.core.api.WorkflowView;
import io.axiom.journal.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.START_MS;
import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash while retiring: a real engine process ends workflows that leave the heap at once (retention.in-memory 0,
 * two a duty cycle, snapshots captured two workflows a cycle) and is SIGKILLed at seeded random moments, many rounds
 * on one data directory. After every kill: every acknowledged workflow is there and ended; every workflow reads
 * exactly as it did after any earlier kill (from the heap or the cold store), with its events; the state recovered
 * from the newest snapshot and the tail has the digest of the whole log replayed (no workflow on the heap twice or
 * lost between heap and cold store); every acknowledged create's Idempotency-Key answers its workflow, after the
 * recovery from the snapshot and from the whole log (a key slot torn or lost by the kill is put again by the
 * replay). Reproduce with {@code -Daxiom.test.seed=N}.
 */
class WorkflowRetirementCrashTest
{
    private static final int ROUNDS = 10;

    @TempDir
    Path dir;

    @RegisterExtension
    final CrashRounds crash = new CrashRounds();

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void retiredWorkflowsSurviveSigkillReadableOnceAndAsBefore() throws Exception
    {
        CrashRounds.seeded("WorkflowRetirementCrashTest", "", this::rounds);
    }

    private void rounds(final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final Path dataDir = dir.resolve("wal");
        final Map<Long, String> acknowledged = new HashMap<>();
        final Map<Long, CreateWorkflow> keys = new HashMap<>();
        final Map<Long, WorkflowView> seen = new HashMap<>();
        final Map<Long, List<EventView>> seenEvents = new HashMap<>();
        long retiredEver = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final long clockMs = START_MS + round * 60_000L;
            final int acksWanted = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(40);
            final List<String> command = ChildJvmCommand.of(WorkflowRetirementCrashChild.class, dataDir.toString(),
                Long.toString(clockMs), Long.toString(random.nextLong()));
            final Path err = dir.resolve("child-" + round + ".err");
            crash.killAfterAcks(command, err, "round " + round, acksWanted,
                f ->
                {
                    if (f.length != 5)
                    {
                        return false;
                    }
                    acknowledged.put(Long.parseLong(f[1]), f[2]);
                    keys.put(Long.parseLong(f[1]), WorkflowRetirementCrashChild.create(Integer.parseInt(f[3]), f[4]));
                    return true;
                },
                () ->
                {
                    // a little later sometimes, so that the kill lands among retirements and snapshot slices
                    if (random.nextBoolean())
                    {
                        Thread.sleep(random.nextInt(5));
                    }
                });
            final long retired = check(dataDir, clockMs, acknowledged, keys, seen, seenEvents, "round " + round);
            retiredEver = Math.max(retiredEver, retired);
            System.out.println("round " + round + ": " + acksWanted + " acks, " + seen.size() + " workflows, " +
                retired + " retired after recovery");
        }
        assertTrue(seen.size() > 0 && retiredEver > 0, "workflows were retired: " + retiredEver);
    }

    /**
     * Recover (retention off, so nothing more retires), read every workflow, compare with what was seen before, then
     * recover a copy of the directory from the whole log and compare digests.
     *
     * @return workflows that are not on the heap.
     */
    private long check(
        final Path dataDir,
        final long clockMs,
        final Map<Long, String> acknowledged,
        final Map<Long, CreateWorkflow> keys,
        final Map<Long, WorkflowView> seen,
        final Map<Long, List<EventView>> seenEvents,
        final String where) throws IOException
    {
        final Engine engine = Engine.launch(WorkflowRetirementCrashChild.context(dataDir, clockMs,
            EngineContext.RETENTION_OFF));
        final long created;
        final long onHeap;
        try
        {
            EngineFixture.await("recovery", () -> engine.isReady() || null != engine.failure());
            assertNull(engine.failure(), where + ": recovery failed");
            final EngineClient client = engine.client();
            client.list(0, 0, null, TIMEOUT);
            created = engine.counters().workflowCount();
            onHeap = engine.counters().workflowsOnHeap();
            assertTrue(created >= acknowledged.size(), where + ": " + created + " workflows, " +
                acknowledged.size() + " acknowledged");
            for (long id = 1; id <= created; id++)
            {
                final EngineReply reply = client.get(id, TIMEOUT);
                final WorkflowView w = EngineFixture.created(reply);
                final List<EventView> events = EngineTest.events(client.allEvents(id, TIMEOUT));
                assertEquals(w.eventCount(), events.size(), where + ": workflow " + id);
                final String state = acknowledged.get(id);
                if (null != state)
                {
                    assertEquals(state, w.state(), where + ": acknowledged workflow " + id);
                }
                final WorkflowView before = seen.get(id);
                if (null != before && !"RUNNING".equals(before.state()) && !"WAITING".equals(before.state()) &&
                    !"CREATED".equals(before.state()))
                {
                    assertEquals(before, w, where + ": workflow " + id + " reads as before");
                    assertEquals(seenEvents.get(id), events, where + ": workflow " + id + "'s events");
                }
                seen.put(id, w);
                seenEvents.put(id, events);
            }
            final EngineReply.WorkflowList list = (EngineReply.WorkflowList)client.list(0, 0, null, TIMEOUT);
            assertEquals(onHeap, list.total(), where + ": lists cover the heap");
            checkKeys(client, keys, where);
            assertEquals(created, engine.counters().workflowCount(), where + ": no key made a second workflow");
        }
        finally
        {
            engine.close();
        }
        final long digest = engine.digestAfterClose();

        final Path copy = dir.resolve("copy");
        deleteTree(copy);
        copyTree(dataDir, copy);
        deleteTree(copy.resolve(SnapshotStore.DIRECTORY));
        final Engine whole = Engine.launch(WorkflowRetirementCrashChild.context(copy, clockMs, EngineContext.RETENTION_OFF));
        try
        {
            EngineFixture.await("recovery of the copy", () -> whole.isReady() || null != whole.failure());
            assertNull(whole.failure(), where + ": recovery of the copy failed");
            assertEquals(0, whole.counters().recoveredFromPosition(), where);
            assertEquals(onHeap, whole.counters().workflowsOnHeap(), where + ": the same workflows on the heap");
            checkKeys(whole.client(), keys, where + " (whole log)");
            assertEquals(created, whole.counters().workflowCount(), where + ": no key made a second workflow");
        }
        finally
        {
            whole.close();
        }
        assertEquals(digest, whole.digestAfterClose(), where + ": snapshot + tail == the whole log");
        return created - onHeap;
    }

    /**
     * Every acknowledged create's Idempotency-Key answers its workflow, on the heap or from the key tables.
     */
    private static void checkKeys(final EngineClient client, final Map<Long, CreateWorkflow> keys, final String where)
    {
        for (final Map.Entry<Long, CreateWorkflow> e : keys.entrySet())
        {
            final EngineReply reply = client.create(e.getValue(), TIMEOUT);
            final EngineReply.Workflow w = assertInstanceOf(EngineReply.Workflow.class, reply, where + ": " + reply);
            assertEquals(Status.EXISTING, w.status(), where + ": key of workflow " + e.getKey());
            assertEquals(e.getKey().longValue(), w.workflow().id(), where + ": key of workflow " + e.getKey());
        }
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path p : (Iterable<Path>)paths::iterator)
            {
                final Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p))
                {
                    Files.createDirectories(target);
                }
                else if (!p.getFileName().toString().endsWith(".lock"))
                {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (Files.exists(root))
        {
            try (Stream<Path> files = Files.walk(root))
            {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
