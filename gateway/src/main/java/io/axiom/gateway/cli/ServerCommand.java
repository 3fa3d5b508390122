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
import io.axiom.gateway.AxiomServer;
import io.axiom.gateway.StartupException;
import io.axiom.gateway.config.AxiomConfig;
import io.axiom.gateway.config.ConfigKey;
import io.axiom.journal.DataDirectoryLockedException;

/**
 * {@code axiom server}: resolve the configuration, start engine and gateway, and once the journal is recovered print
 * {@code Axiom listening on http://HOST:PORT} and {@code Axiom ready: ...}; run until stopped (SIGINT/SIGTERM), or
 * until the engine fails.
 * <p>
 * A server that cannot start (address in use, unusable data directory, bad configuration, an engine failure during
 * recovery) prints one line {@code axiom: REASON} on stderr, never the listening or ready lines, and exits non-zero;
 * {@code --debug} adds the stack trace.
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
        out.println(new ExitStatus.Version().getVersion()[0] + " starting");
        out.println("configuration file: " + (null == config.file() ? "none" : config.file().toAbsolutePath()));
        for (final String line : config.describe())
        {
            out.println("  " + line);
        }
        if (!config.fsync())
        {
            final String warning = "WARNING: wal.fsync is false: replies are sent before events reach the disk. " +
                "A crash or power loss can lose acknowledged workflows. Never run production like this.";
            err.println(warning);
            out.println(warning);
        }
        if (repair)
        {
            err.println("WARNING: --repair: a corrupt journal will be truncated at the first bad record; " +
                "every record after it is lost.");
        }
        out.flush();
        err.flush();

        final AxiomServer server;
        try
        {
            server = AxiomServer.start(config, repair, debug, System.err);
        }
        catch (final StartupException ex)
        {
            return refuse(err, ex.getMessage(), ex, ex.exitCode());
        }
        catch (final DataDirectoryLockedException ex)
        {
            // a data-directory problem (exit 2): the message names the directory, the holder's pid and what to do
            return refuse(err, ex.getMessage(), ex, ExitStatus.EXIT_USAGE);
        }
        catch (final IllegalArgumentException ex)
        {
            return refuse(err, "invalid engine configuration: " + ex.getMessage(), ex, ExitStatus.EXIT_USAGE);
        }
        catch (final RuntimeException ex)
        {
            return refuse(err, "the server could not start: " + operatorMessage(ex), ex, ExitStatus.EXIT_FAILED);
        }
        server.listener().startNotes().forEach(out::println);
        out.println(null == server.transport() ? "workers over Aeron: off (transport.enabled=false)" :
            server.transport().describe());
        out.println("recovering the journal in " + config.dataDir().toAbsolutePath().normalize() +
            " (GET /ready answers 503 until it is done)");
        out.flush();

        final CountDownLatch stopLatch = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            server.close();
            stopLatch.countDown();
        }, "axiom-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return runUntilStopped(server, config, hook, stopLatch, out, err);
    }

    private int refuse(final PrintWriter err, final String message, final Throwable ex, final int exitCode)
    {
        err.println("axiom: " + message);
        if (debug)
        {
            ex.printStackTrace(err);
        }
        err.flush();
        return exitCode;
    }

    private int runUntilStopped(
        final AxiomServer server,
        final AxiomConfig config,
        final Thread hook,
        final CountDownLatch stopLatch,
        final PrintWriter out,
        final PrintWriter err)
    {
        final Engine engine = server.engine();
        boolean announcedReady = false;
        io.axiom.journal.StorageStatus storage = io.axiom.journal.StorageStatus.OK;
        try
        {
            while (true)
            {
                final Throwable failure = engine.failure();
                if (null != failure)
                {
                    removeHook(hook);
                    server.close();
                    return refuse(err, (announcedReady ? "the engine failed and the server stops: " :
                        "the engine failed at start and the server stops: ") + operatorMessage(failure), failure,
                        ExitStatus.EXIT_USAGE);
                }
                if (!announcedReady && engine.isReady())
                {
                    announcedReady = true;
                    out.println(LISTENING + server.url());
                    io.axiom.gateway.auth.AuthModule.startupNotice(config, server.host(), server.port())
                        .ifPresent(out::println);
                    final io.axiom.journal.RecoveryReport recovery = engine.counters().recoveryReport();
                    if (null != recovery)
                    {
                        recovery.notes().forEach(note -> out.println("recovery: " + note));
                    }
                    out.println("Axiom ready: " + engine.eventCount() + " events recovered, journal position " +
                        engine.journalPosition());
                    out.flush();
                }
                if (announcedReady)
                {
                    storage = announceStorage(engine, storage, out, err);
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
            server.close();
            Thread.currentThread().interrupt();
            return ExitStatus.EXIT_OK;
        }
    }

    /**
     * Say once when the journal's room changes: a warning ahead of a full disk, the refusal of writes, the recovery.
     *
     * @return the status now.
     */
    private static io.axiom.journal.StorageStatus announceStorage(
        final Engine engine,
        final io.axiom.journal.StorageStatus before,
        final PrintWriter out,
        final PrintWriter err)
    {
        final io.axiom.journal.StorageState state = engine.counters().storageState();
        if (null == state || state.status() == before)
        {
            return before;
        }
        switch (state.status())
        {
            case LOW -> err.println("axiom: WARNING: the data directory is running out of space: " + state.detail());
            case FULL -> err.println("axiom: WARNING: writes are refused (507 DISK_FULL), reads go on: " +
                state.detail());
            default -> out.println("storage: room for the journal again, writes accepted: " + state.detail());
        }
        err.flush();
        out.flush();
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
                case INT, LONG -> "N";
                case STRING -> "TEXT";
            };
        }
    }
}
