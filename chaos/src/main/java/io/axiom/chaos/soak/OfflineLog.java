package io.axiom.chaos.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The log's offline tools, run as a user runs them ({@code bin/axiom wal verify|dump --data-dir D}) on the stopped
 * server's data directory: the soak's verdict rests on what the log holds, read by the tools that ship.
 * <p>
 * {@link #verify()} ({@code bin/axiom verify --data-dir D}) replays the whole log through the strict state machine and
 * checks the exactly-once invariants; its non-zero exit is a violation, its report is kept in the soak's logs.
 */
final class OfflineLog
{
    private static final long TIMEOUT_MINUTES = 10;

    private final Path launcher;
    private final Map<String, String> env;
    private final Path dataDir;
    private final Path logDir;

    /**
     * @param launcher bin/axiom.
     * @param env      its environment changes (the JVM and classpath the soak runs on).
     * @param dataDir  the journal.
     * @param logDir   where the commands' output goes.
     */
    OfflineLog(final Path launcher, final Map<String, String> env, final Path dataDir, final Path logDir)
    {
        this.launcher = launcher;
        this.env = env;
        this.dataDir = dataDir;
        this.logDir = logDir;
    }

    /**
     * {@code bin/axiom wal verify --data-dir D}: every segment, record, atomic unit and snapshot checked.
     *
     * @return its exit status (0 clean, 1 corrupt, 3 torn tail only) and last lines.
     */
    Result walVerify() throws IOException, InterruptedException
    {
        final Path out = logDir.resolve("wal-verify.log");
        final Process process = builder(List.of("wal", "verify", "--data-dir", dataDir.toString()))
            .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        final int status = await(process);
        final List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        return new Result(status, String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
    }

    /**
     * {@code bin/axiom verify --data-dir D}: the strict replay of the whole log and the exactly-once checks.
     *
     * @return its exit status (0 no violation, 1 violations) and last lines.
     */
    Result verify() throws IOException, InterruptedException
    {
        final Path out = logDir.resolve("verify.log");
        final Process process = builder(List.of("verify", "--data-dir", dataDir.toString()))
            .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        final int status = await(process);
        final List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        return new Result(status, String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
    }

    /**
     * {@code bin/axiom wal dump --data-dir D}, each line handed to the consumer as it comes (a long soak's log does
     * not need to fit in memory as text).
     *
     * @param lines receives every line of standard output.
     * @return its exit status and the last lines of its standard error.
     */
    Result walDump(final Consumer<String> lines) throws IOException, InterruptedException
    {
        final Path err = logDir.resolve("wal-dump.err");
        final Process process = builder(List.of("wal", "dump", "--data-dir", dataDir.toString()))
            .redirectError(err.toFile()).start();
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                lines.accept(line);
            }
        }
        final int status = await(process);
        return new Result(status, Files.readString(err, StandardCharsets.UTF_8).strip());
    }

    private ProcessBuilder builder(final List<String> args)
    {
        final List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(args);
        final ProcessBuilder builder = new ProcessBuilder(command).directory(launcher.getParent().getParent().toFile());
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
        return builder;
    }

    private static int await(final Process process) throws InterruptedException
    {
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES))
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    /**
     * @param status exit status (-1: did not end in time and was killed).
     * @param output its last lines, for the report.
     */
    record Result(int status, String output)
    {
    }
}
