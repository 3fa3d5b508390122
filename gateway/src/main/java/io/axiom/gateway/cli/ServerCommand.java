package io.axiom.gateway.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.axiom.core.Engine;
import io.axiom.core.EngineCounters;
import io.axiom.gateway.AxiomServer;
import io.axiom.gateway.StartupException;
import io.axiom.gateway.config.AxiomConfig;
import io.axiom.gateway.config.ConfigKey;
import io.axiom.gateway.log.LogFormat;
import io.axiom.gateway.log.LogLevel;
import io.axiom.gateway.log.ServerLog;
import io.axiom.journal.DataDirectoryLockedException;
import io.axiom.journal.RecoveryReport;
import io.axiom.journal.StorageState;
import io.axiom.journal.StorageStatus;

/**
 * {@code axiom server}: resolve the configuration, install the log ({@code log.format}, {@code log.level}: one line per
 * event on stdout), start engine and gateway, and once the journal is recovered log
 * {@code Axiom listening on http://HOST:PORT}, every recovery note and {@code Axiom ready: ...}; run until stopped
 * (SIGINT/SIGTERM), then log {@code Axiom stopped: ...} with the shutdown snapshot, or until the engine fails.
 * <p>
 * A server that cannot start (address in use, unusable data directory, bad configuration, an engine failure during
 * recovery) logs the reason at ERROR and prints it as one line {@code axiom: REASON} on stderr, never the listening
 * or ready lines, and exits non-zero; {@code --debug} adds the stack trace on stderr.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    modelTransformer = ServerCommand.ConfigFlags.class,
    description = {
        "Run the engine and its HTTP gateway (REST API, /health, /ready).",
        "Settings come from axiom.yaml < environment (AXIOM_*) < flags; every key has a flag below."
    })
public final class ServerCommand implements Callable<Integer>, EnvironmentAware
{
    /** Prefix of the line system tests parse to find the bound port. */
    public static final String LISTENING = "Axiom listening on ";
    /** Logger of the server's start, listening, ready and stop lines. */
    public static final String SERVER = "axiom.server";

    private static final String CONFIG = "axiom.config";
    private static final String LISTENER = "axiom.listener";
    private static final String WORKERS = "axiom.workers";
    private static final String RECOVERY = "axiom.recovery";
    private static final String STORAGE = "axiom.storage";

    private static final Logger HELIDON_LOGGER = Logger.getLogger("io.helidon");

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", order = 0,
        description = "configuration file (YAML); default: $AXIOM_CONFIG, else ./axiom.yaml when present")
    private Path configFile;

    @Option(names = "--repair", order = 1,
        description = "truncate the journal at a corrupt record instead of refusing to start (loses what follows)")
    private boolean repair;

    @Option(names = "--debug", order = 2,
        description = "on a failure print the stack trace too, and let Helidon's own reports of listener failures " +
            "through")
    private boolean debug;

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(final Map<String, String> env)
    {
        this.env = env;
    }

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final AxiomConfig config = ConfigResolver.resolve(configFile, env, flagValues(spec));

        HELIDON_LOGGER.setLevel(Level.WARNING);
        final ServerLog log = ServerLog.install(out, LogFormat.of(config.logFormat()), LogLevel.of(config.logLevel()));
        try
        {
            return run(config, log, err);
        }
        finally
        {
            log.close();
        }
    }

    private int run(final AxiomConfig config, final ServerLog log, final PrintWriter err)
    {
        log.log(Level.INFO, SERVER, new ExitStatus.Version().getVersion()[0] + " starting (pid " +
            ProcessHandle.current().pid() + ")");
        log.log(Level.INFO, SERVER,
            "configuration file: " + (null == config.file() ? "none" : config.file().toAbsolutePath()));
        for (final String line : config.describe())
        {
            log.log(Level.INFO, CONFIG, line.stripTrailing());
        }
        if (!config.fsync())
        {
            log.log(Level.WARNING, SERVER, "wal.fsync is false: replies are sent before events reach the " +
                "disk. A crash or power loss can lose acknowledged workflows. Never run production like this.");
        }
        if (repair)
        {
            log.log(Level.WARNING, SERVER, "--repair: a corrupt journal will be truncated at the first " +
                "bad record; every record after it is lost.");
        }

        final AxiomServer server;
        try
        {
            server = AxiomServer.start(config, repair, debug);
        }
        catch (final StartupException ex)
        {
            return refuse(log, err, ex.getMessage(), ex, ex.exitCode());
        }
        catch (final DataDirectoryLockedException ex)
        {
            // a data-directory problem (exit 2): the message names the directory, the holder's pid and what to do
            return refuse(log, err, ex.getMessage(), ex, ExitStatus.EXIT_USAGE);
        }
        catch (final IllegalArgumentException ex)
        {
            return refuse(log, err, "invalid engine configuration: " + ex.getMessage(), ex, ExitStatus.EXIT_USAGE);
        }
        catch (final RuntimeException ex)
        {
            return refuse(log, err, "the server could not start: " + operatorMessage(ex), ex, ExitStatus.EXIT_FAILED);
        }
        server.listener().startNotes().forEach(note -> log.log(Level.INFO, LISTENER, note));
        log.log(Level.INFO, WORKERS, null == server.transport() ? "workers over Aeron: off (transport.enabled=false)" :
            server.transport().describe());
        log.log(Level.INFO, SERVER, "recovering the journal in " + config.dataDir().toAbsolutePath().normalize() +
            " (GET /ready answers 503 until it is done)");

        final CountDownLatch stopLatch = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            log.log(Level.INFO, SERVER, "stopping: shutdown requested (SIGTERM or SIGINT)");
            stop(server, log);
            stopLatch.countDown();
        }, "axiom-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return runUntilStopped(server, config, hook, stopLatch, log, err);
    }

    private int refuse(
        final ServerLog log, final PrintWriter err, final String message, final Throwable ex, final int exitCode)
    {
        log.log(Level.SEVERE, SERVER, message);
        err.println("axiom: " + message);
        if (debug)
        {
            ex.printStackTrace(err);
        }
        err.flush();
        return exitCode;
    }

    /**
     * Close the server and say what the stop left behind: the shutdown snapshot (position, size, time) and where the
     * journal ends.
     */
    private static void stop(final AxiomServer server, final ServerLog log)
    {
        final EngineCounters counters = server.engine().counters();
        final long snapshotsBefore = counters.snapshotCount();
        final long failuresBefore = counters.snapshotFailures();
        server.close();
        final Engine engine = server.engine();
        final String snapshot;
        if (counters.snapshotCount() > snapshotsBefore)
        {
            snapshot = "shutdown snapshot at position " + counters.lastSnapshotPosition() + " (" +
                counters.lastSnapshotBytes() + " bytes, written in " +
                TimeUnit.NANOSECONDS.toMillis(counters.lastSnapshotNanos()) + " ms)";
        }
        else if (counters.snapshotFailures() > failuresBefore)
        {
            log.log(Level.WARNING, SERVER, "the shutdown snapshot could not be written: " +
                operatorMessage(counters.lastSnapshotError()) + "; the next start replays the log from the last " +
                "snapshot", counters.lastSnapshotError());
            snapshot = "no shutdown snapshot (it failed)";
        }
        else if (0 == server.config().snapshotRetain())
        {
            snapshot = "no shutdown snapshot (snapshots are off: wal.snapshot-retain=0)";
        }
        else if (!counters.isReady())
        {
            snapshot = "no shutdown snapshot (stopped before recovery finished)";
        }
        else
        {
            // no snapshot written in this run: the one start-up loaded is the newest
            snapshot = "no shutdown snapshot (nothing new since the snapshot at position " +
                Math.max(counters.lastSnapshotPosition(), counters.recoveredFromPosition()) + ")";
        }
        log.log(Level.INFO, SERVER, "Axiom stopped: " + snapshot + "; journal position " + engine.journalPosition() +
            ", " + engine.eventCount() + " events");
    }

    private int runUntilStopped(
        final AxiomServer server,
        final AxiomConfig config,
        final Thread hook,
        final CountDownLatch stopLatch,
        final ServerLog log,
        final PrintWriter err)
    {
        final Engine engine = server.engine();
        boolean announcedReady = false;
        StorageStatus storage = StorageStatus.OK;
        try
        {
            while (true)
            {
                final Throwable failure = engine.failure();
                if (null != failure)
                {
                    removeHook(hook);
                    server.close();
                    return refuse(log, err, (announcedReady ? "the engine failed and the server stops: " :
                        "the engine failed at start and the server stops: ") + operatorMessage(failure), failure,
                        ExitStatus.EXIT_USAGE);
                }
                if (!announcedReady && engine.isReady())
                {
                    announcedReady = true;
                    announceReady(server, config, log);
                }
                if (announcedReady)
                {
                    storage = announceStorage(engine, storage, log);
                }
                if (stopLatch.await(50, TimeUnit.MILLISECONDS))
                {
                    return ExitStatus.EXIT_OK;
                }
            }
        }
        catch (final InterruptedException ex)
        {
            removeHook(hook);
            log.log(Level.INFO, SERVER, "stopping: interrupted");
            stop(server, log);
            Thread.currentThread().interrupt();
            return ExitStatus.EXIT_OK;
        }
    }

    private static void announceReady(final AxiomServer server, final AxiomConfig config, final ServerLog log)
    {
        final Engine engine = server.engine();
        final EngineCounters counters = engine.counters();
        log.log(Level.INFO, SERVER, LISTENING + server.url());
        io.axiom.gateway.auth.AuthModule.startupNotice(config, server.host(), server.port())
            .ifPresent(notice -> log.log(isLoopback(server.host()) ? Level.INFO : Level.WARNING, SERVER, notice));
        final RecoveryReport recovery = counters.recoveryReport();
        if (null != recovery)
        {
            // a cut of possibly acknowledged records or a snapshot that could not be trusted is worth a warning; a
            // torn tail after a crash, or a leftover temp file, is what recovery is for
            final Level level = recovery.repairCut() || recovery.snapshotsSetAside() > 0 ? Level.WARNING : Level.INFO;
            recovery.notes().forEach(note -> log.log(level, RECOVERY, "recovery: " + note));
            log.log(Level.INFO, RECOVERY, "recovery: " + recovery.segmentCount() + " segment(s), " +
                recovery.recordCount() + " records, log from position " + recovery.firstPosition() + " to " +
                recovery.lastPosition() + (recovery.truncated() ? "; truncated at position " +
                recovery.truncatedAtPosition() + " (" + recovery.truncatedBytes() + " bytes, " +
                recovery.truncatedRecords() + " complete records)" : "; nothing truncated"));
        }
        final long fromPosition = counters.recoveredFromPosition();
        log.log(Level.INFO, SERVER, "Axiom ready: " + engine.eventCount() + " events recovered, journal position " +
            engine.journalPosition() + " (" + (0 == fromPosition ? "no snapshot, " : "snapshot at position " +
            fromPosition + ", ") + counters.recoveredRecords() + " events replayed in " +
            TimeUnit.NANOSECONDS.toMillis(counters.recoveryNanos()) + " ms)");
    }

    private static boolean isLoopback(final String host)
    {
        return "localhost".equalsIgnoreCase(host) || host.startsWith("127.") || "::1".equals(host) ||
            "[::1]".equals(host);
    }

    /**
     * Say once when the journal's room changes: a warning ahead of a full disk, the refusal of writes, the recovery.
     *
     * @return the status now.
     */
    private static StorageStatus announceStorage(final Engine engine, final StorageStatus before, final ServerLog log)
    {
        final StorageState state = engine.counters().storageState();
        if (null == state || state.status() == before)
        {
            return before;
        }
        switch (state.status())
        {
            case LOW -> log.log(Level.WARNING, STORAGE, "the data directory is running out of space: " +
                state.detail());
            case FULL -> log.log(Level.SEVERE, STORAGE, "writes are refused (507 DISK_FULL), reads go on: " +
                state.detail());
            default -> log.log(Level.INFO, STORAGE, "room for the journal again, writes accepted: " + state.detail());
        }
        return state.status();
    }

    private static void removeHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignore)
        {
            // already shutting down: the hook closes the server
        }
    }

    /**
     * @param spec the parsed command.
     * @return every configuration flag given, name to raw value, in command-line order.
     */
    static Map<String, String> flagValues(final CommandSpec spec)
    {
        final Map<String, String> flags = new LinkedHashMap<>();
        final CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (final OptionSpec option : parsed.matchedOptions())
        {
            final String name = option.longestName();
            if (null != AxiomConfig.flagKey(name))
            {
                flags.put(name, option.getValue());
            }
        }
        return flags;
    }

    /**
     * @param failure a start-up or engine failure.
     * @return its message, which engine and journal write for operators; the type only when there is none.
     */
    static String operatorMessage(final Throwable failure)
    {
        for (Throwable t = failure; null != t; t = t.getCause())
        {
            if (null != t.getMessage() && !t.getMessage().isBlank())
            {
                return t.getMessage();
            }
        }
        return "an unexpected " + failure.getClass().getSimpleName() + " (run with --debug for the stack trace)";
    }

    /**
     * Adds one {@code --KEY} option per {@link ConfigKey} and the short aliases, so that help and parsing always
     * match the configuration model.
     */
    public static final class ConfigFlags implements CommandLine.IModelTransformer
    {
        @Override
        public CommandSpec transform(final CommandSpec spec)
        {
            int order = 3;
            for (final Map.Entry<String, ConfigKey> alias : new TreeMap<>(AxiomConfig.FLAG_ALIASES).entrySet())
            {
                spec.addOption(option(alias.getKey(), alias.getValue(), order++,
                    "same as " + alias.getValue().flagName()));
            }
            for (final ConfigKey key : ConfigKey.values())
            {
                spec.addOption(option(key.flagName(), key, order++, key.description() + " (default " +
                    key.defaultValue() + ", env " + key.envName() + ")"));
            }
            return spec;
        }

        private static OptionSpec option(final String name, final ConfigKey key, final int order, final String text)
        {
            final OptionSpec.Builder builder = OptionSpec.builder(name)
                .type(String.class)
                .paramLabel(label(key))
                .order(order)
                .description(text);
            if (key.type() == ConfigKey.ValueType.BOOLEAN)
            {
                builder.arity("0..1").fallbackValue("true").completionCandidates(List.of("true", "false"));
            }
            else
            {
                builder.arity("1");
                if (key.type() == ConfigKey.ValueType.CHOICE)
                {
                    builder.completionCandidates(key.choices());
                }
            }
            return builder.build();
        }

        private static String label(final ConfigKey key)
        {
            return switch (key.type())
            {
                case PATH -> "DIR";
                case BOOLEAN -> "true|false";
                case SIZE -> "BYTES";
                case DURATION -> "DURATION";
                case INT, LONG -> "N";
                case STRING -> "TEXT";
                case CHOICE -> String.join("|", key.choices());
            };
        }
    }
}
