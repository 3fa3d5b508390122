package io.axiom.core;

import java.nio.file.Path;

import io.axiom.core.api.StepSpec;
import io.axiom.journal.DataDirectoryLockedException;
import io.axiom.journal.JournalInspector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second engine on a data directory fails in {@link Engine#launch}, synchronously, before it reads anything; the
 * directory is free again once the first engine is closed. Each command's events are one unit: a clean log verifies.
 */
class EngineDirectoryLockTest
{
    @TempDir
    Path dir;

    @Test
    void secondEngineOnADataDirectoryFailsAtLaunch()
    {
        try (EngineFixture first = new EngineFixture(dir))
        {
            first.create("a", StepSpec.task("ONE"), StepSpec.approval("TWO"));
            final DataDirectoryLockedException ex = assertThrows(DataDirectoryLockedException.class,
                () -> Engine.launch(new EngineContext().dataDir(dir).maxSegmentSize(1024 * 1024)));
            assertTrue(ex.getMessage().contains(dir.toString()) &&
                ex.getMessage().contains("pid " + ProcessHandle.current().pid()), ex.getMessage());
            assertTrue(first.engine.isReady(), "the first engine is untouched");
            first.create("b", StepSpec.task("ONE"));
        }
        assertTrue(JournalInspector.verify(dir).ok(), JournalInspector.verify(dir).toString());
        try (EngineFixture again = new EngineFixture(dir))
        {
            assertEquals(2, again.engine.counters().workflowCount());
        }
    }
}
