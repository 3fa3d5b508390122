package io.axiom.core;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.WorkflowView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Promises 1 and 3 for whole commands: a real engine process writing commands larger than the journal's staging
 * buffer (so their records reach the file before the command ends) is SIGKILLed at seeded random moments, many rounds
 * on one data directory, with snapshots taken along the way (two workflows encoded per duty cycle, so kills land
 * while a snapshot is being captured and streamed too). After every kill: every acknowledged create and advance
 * is there, no workflow is left half-created, no step completed twice, and every workflow's replay equals its state.
 * Reproduce a failure with {@code -Daxiom.test.seed=<seed printed in the failure>}.
 */
class EngineCrashTest
{
    private static final int ROUNDS = 12;

    @TempDir
    Path dir;

    @RegisterExtension
    final CrashRounds crash = new CrashRounds();

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void acknowledgedCommandsSurviveSigkillWholeAndOnlyOnce() throws Exception
    {
        CrashRounds.seeded("EngineCrashTest", "", this::rounds);
    }

    private void rounds(final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final Path dataDir = dir.resolve("wal");
        final Map<Long, Integer> acknowledgedSteps = new HashMap<>();
        for (int round = 0; round < ROUNDS; round++)
        {
            final int acksWanted = 1 + random.nextInt(12);
            final List<String> command = ChildJvmCommand.of(EngineCrashChild.class, dataDir.toString(),
                Long.toString(random.nextLong()));
            crash.killAfterAcks(command, dir.resolve("child-" + round + ".err"), "round " + round, acksWanted,
                f ->
                {
                    if (f.length < 3)
                    {
                        return false;
                    }
                    final long id = Long.parseLong(f[2]);
                    acknowledgedSteps.merge(id, "create".equals(f[1]) ? 0 : Integer.parseInt(f[3]) + 1, Math::max);
                    return true;
                },
                () ->
                {
                    // The kill lands at once or a moment later, while the next command is being written.
                    if (random.nextBoolean())
                    {
                        Thread.sleep(random.nextInt(30));
                    }
                });
            check(dataDir, acknowledgedSteps, "round " + round);
        }
    }

    private static void check(final Path dataDir, final Map<Long, Integer> acknowledgedSteps, final String where)
    {
        final Engine engine = Engine.launch(new EngineContext().dataDir(dataDir)
            .maxSegmentSize(EngineCrashChild.SEGMENT).maxSteps(16).maxInputBytes(200 * 1024)
            .maxReplyBytes(32 * 1024 * 1024));
        try
        {
            EngineFixture.await("recovery", () -> engine.isReady() || null != engine.failure());
            assertEquals(null, engine.failure(), where + ": recovery failed");
            final EngineClient client = engine.client();
            for (final Map.Entry<Long, Integer> acked : acknowledgedSteps.entrySet())
            {
                final EngineReply reply = client.get(acked.getKey(), TIMEOUT);
                final WorkflowView w = EngineFixture.created(reply);
                final long completed = w.steps().stream().filter(s -> "COMPLETED".equals(s.status())).count();
                assertTrue(completed >= acked.getValue(), where + ": workflow " + w.id() + " has " + completed +
                    " completed steps, " + acked.getValue() + " were acknowledged");
            }
            long total = 0;
            long offset = 0;
            while (offset >= 0)
            {
                final EngineReply.WorkflowList page = (EngineReply.WorkflowList)client.list((int)offset, 1000, null,
                    TIMEOUT);
                for (final WorkflowView w : page.workflows())
                {
                    assertNotEquals("CREATED", w.state(), where + ": workflow " + w.id() + " is half created");
                    final List<EventView> events = EngineTest.events(client.allEvents(w.id(), TIMEOUT));
                    final long completions = events.stream().filter(e -> "StepCompleted".equals(e.type())).count();
                    final long steps = events.stream().filter(e -> "StepCompleted".equals(e.type()))
                        .map(e -> e.fields().get("step_index")).distinct().count();
                    assertEquals(steps, completions, where + ": a step of workflow " + w.id() + " completed twice");
                    final EngineReply replay = client.replay(w.id(), TIMEOUT);
                    assertTrue(replay instanceof EngineReply.Replay r && r.matchesLive(),
                        where + ": replay of workflow " + w.id() + " differs from its state: " + replay);
                    total++;
                }
                offset = page.nextOffset();
            }
            assertTrue(total >= acknowledgedSteps.size(), where + ": " + total + " workflows recovered, " +
                acknowledgedSteps.size() + " acknowledged");
        }
        finally
        {
            engine.close();
        }
    }
}
