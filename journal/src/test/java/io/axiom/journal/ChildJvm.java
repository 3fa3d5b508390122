package io.axiom.journal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM on the test classpath, for tests that need a second process (SIGKILL, OS locks).
 */
final class ChildJvm implements AutoCloseable
{
    private final Process process;
    private final BufferedReader out;

    private ChildJvm(final Process process)
    {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    }

    static List<String> command(final Class<?> main, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + "/bin/java");
        for (final String flag : System.getProperty("axiom.jvm.flags", "").split(" "))
        {
            if (!flag.isBlank())
            {
                command.add(flag);
            }
        }
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xmx128m",
            "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    static ChildJvm start(final Path stderr, final Class<?> main, final String... args) throws IOException
    {
        return new ChildJvm(new ProcessBuilder(command(main, args)).redirectError(stderr.toFile()).start());
    }

    /**
     * @return the next line the child printed that starts with prefix, null if it exited first.
     */
    String awaitLine(final String prefix) throws IOException
    {
        String line;
        while (null != (line = out.readLine()))
        {
            if (line.startsWith(prefix))
            {
                return line;
            }
        }
        return null;
    }

    /**
     * @return the next line the child printed, null if it exited.
     */
    String readLine() throws IOException
    {
        return out.readLine();
    }

    long pid()
    {
        return process.pid();
    }

    /**
     * SIGKILL, and wait until the process is gone.
     */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    int waitFor() throws InterruptedException
    {
        return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    public void close() throws InterruptedException
    {
        kill();
    }
}
