package io.axiom.chaos.soak;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process the soak started (the server through {@code bin/axiom}, which {@code exec}s the JVM, or a worker JVM):
 * its pid is the JVM's, so {@link #kill()} is a SIGKILL of the very process that holds the journal or the tasks.
 * <p>
 * Its stdout and stderr are merged and copied line by line into a log file by a reader thread (the child never blocks
 * on a full pipe); the last lines are kept for the report, and the first line matching a pattern given at start
 * completes {@link #awaitLine(Duration)}.
 */
final class ChildProcess implements AutoCloseable
{
    private static final int TAIL_LINES = 40;

    private final String name;
    private final Process process;
    private final Path log;
    private final Pattern watched;
    private final CompletableFuture<Matcher> watchedLine = new CompletableFuture<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final Thread reader;
    private volatile boolean killedOnPurpose;

    private ChildProcess(final String name, final Process process, final Path log, final Pattern watched)
    {
        this.name = name;
        this.process = process;
        this.log = log;
        this.watched = watched;
        this.reader = Thread.ofPlatform().daemon().name("soak-output-" + name).start(this::copyOutput);
    }

    /**
     * @param name    label in the report and the log file's name.
     * @param command the command line.
     * @param env     environment changes: a null value removes the variable.
     * @param dir     working directory.
     * @param logDir  where its output goes ({@code name.log}).
     * @param watched a line to wait for with {@link #awaitLine(Duration)}, or null.
     * @return the started process.
     */
    static ChildProcess start(
        final String name,
        final List<String> command,
        final Map<String, String> env,
        final Path dir,
        final Path logDir,
        final Pattern watched)
    {
        final ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        env.forEach((key, value) ->
        {
            if (null == value)
            {
                builder.environment().remove(key);
            }
            else
            {
                builder.environment().put(key, value);
            }
        });
        try
        {
            return new ChildProcess(name, builder.start(), logDir.resolve(name + ".log"), watched);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + name + ": " + command, ex);
        }
    }

    String name()
    {
        return name;
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    Path log()
    {
        return log;
    }

    /**
     * @return true when the soak killed it (or stopped it) on purpose: any other exit is the process's own doing.
     */
    boolean endedOnPurpose()
    {
        return killedOnPurpose;
    }

    /**
     * @param action run once the process has ended (on a thread of the JDK's).
     */
    void whenEnded(final Runnable action)
    {
        process.onExit().thenRun(action);
    }

    /**
     * @return its exit status, or -1 while it runs.
     */
    int exitStatus()
    {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /**
     * @param timeout bound on the wait.
     * @return the first line matching the watched pattern.
     * @throws IllegalStateException when the process ends first, or the time is up.
     */
    Matcher awaitLine(final Duration timeout) throws InterruptedException
    {
        try
        {
            return watchedLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException(name + " printed no line matching '" + watched + "' within " + timeout);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException(name + " ended (status " + exitStatus() + ") before printing a line " +
                "matching '" + watched + "'");
        }
    }

    /**
     * SIGKILL it (no shutdown hook runs) and wait until it is gone.
     *
     * @param timeout bound on the wait.
     * @return true when it is gone.
     */
    boolean kill(final Duration timeout) throws InterruptedException
    {
        killedOnPurpose = true;
        process.destroyForcibly();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * SIGTERM it and wait; SIGKILL it when it does not end in time.
     *
     * @param timeout bound on the clean stop.
     * @return its exit status, or -1 when it had to be killed.
     */
    int stop(final Duration timeout) throws InterruptedException
    {
        killedOnPurpose = true;
        process.destroy();
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            reader.join(timeout.toMillis());
            return process.exitValue();
        }
        process.destroyForcibly();
        process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return -1;
    }

    /**
     * @return its last lines of output.
     */
    String tail()
    {
        synchronized (tail)
        {
            return String.join("\n", tail);
        }
    }

    /**
     * Kill it, and whatever it started, when it still runs.
     */
    @Override
    public void close()
    {
        killedOnPurpose = true;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try
        {
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void copyOutput()
    {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Writer out = new BufferedWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                out.write(line);
                out.write('\n');
                out.flush();
                synchronized (tail)
                {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES)
                    {
                        tail.removeFirst();
                    }
                }
                if (null != watched && !watchedLine.isDone())
                {
                    final Matcher m = watched.matcher(line);
                    if (m.find())
                    {
                        watchedLine.complete(m);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            synchronized (tail)
            {
                tail.addLast("[soak: output of " + name + " lost: " + ex + "]");
            }
        }
        finally
        {
            watchedLine.completeExceptionally(new IllegalStateException(name + " ended"));
        }
    }
}
