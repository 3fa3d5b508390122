package io.axiom.transport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded driver's directory: its own, deleted on close, and those of killed processes deleted at the next
 * launch.
 */
class EmbeddedDriverTest
{
    @TempDir
    Path parent;

    @Test
    void theDirectoryIsUniqueAndDeletedOnClose()
    {
        final String first;
        try (EmbeddedDriver a = EmbeddedDriver.launch(new EmbeddedDriver.Context().parentDirectory(parent.toFile()));
            EmbeddedDriver b = EmbeddedDriver.launch(new EmbeddedDriver.Context().parentDirectory(parent.toFile())))
        {
            first = a.aeronDirectoryName();
            assertTrue(a.isEmbedded());
            assertFalse(first.equals(b.aeronDirectoryName()));
            assertTrue(new File(first).getName().startsWith("axiom-aeron-" + ProcessHandle.current().pid() + "-"));
            assertTrue(new File(first, "cnc.dat").exists());
            assertNull(a.agentInvoker(), "a SHARED driver runs its own thread");
        }
        assertFalse(new File(first).exists(), "deleted on close");
    }

    @Test
    void directoriesOfProcessesThatAreGoneAreDeletedAtLaunch() throws Exception
    {
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final Path stale = Files.createDirectories(parent.resolve("axiom-aeron-" + gone.pid() + "-0badf00d"));
        Files.writeString(stale.resolve("cnc.dat"), "not a live driver");
        final Path mine = Files.createDirectories(
            parent.resolve("axiom-aeron-" + ProcessHandle.current().pid() + "-0badf00d"));
        final Path other = Files.createDirectories(parent.resolve("not-axiom-aeron-1-0badf00d"));

        try (EmbeddedDriver driver = EmbeddedDriver.launch(new EmbeddedDriver.Context().parentDirectory(
            parent.toFile()).agentInvoker(true)))
        {
            assertTrue(null != driver.agentInvoker(), "an invoked driver hands its agent out");
            assertFalse(Files.exists(stale), "the killed process's directory is gone");
            assertTrue(Files.exists(mine), "a live process keeps its own");
            assertTrue(Files.exists(other), "nothing else is touched");
        }
    }

    @Test
    void anExternalDriverThatIsNotRunningIsNamed() throws IOException
    {
        final Path empty = Files.createDirectories(parent.resolve("no-driver"));
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> EmbeddedDriver.launch(
            new EmbeddedDriver.Context().aeronDirectoryName(empty.toString()).driverTimeoutMs(200)));
        assertTrue(ex.getMessage().startsWith("no Aeron media driver is running in " + empty), ex.getMessage());
    }
}
