package io.axiom.gateway;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import io.axiom.gateway.cli.EnvironmentAware;
import io.axiom.gateway.cli.ExitStatus;
import io.axiom.gateway.cli.ServerCommand;
import io.axiom.gateway.cli.WalCommand;
import io.axiom.gateway.cli.WorkerCommand;
import io.axiom.gateway.cli.client.ChaosCommand;
import io.axiom.gateway.cli.client.ClientOptions;
import io.axiom.gateway.cli.client.ClusterCommand;
import io.axiom.gateway.cli.client.MetricsCommand;
import io.axiom.gateway.cli.client.SnapshotCommand;
import io.axiom.gateway.cli.client.TasksCommand;
import io.axiom.gateway.cli.client.VerifyCommand;
import io.axiom.gateway.cli.client.WorkflowCommand;
import io.axiom.gateway.config.ConfigException;

/**
 * The {@code axiom} command. Each subcommand is one line in {@link #COMMANDS}; {@code axiom --help} lists them
 * with their one-line descriptions. Exit codes: 0 ok, 1 operation failed, 2 usage or configuration error.
 * <p>
 * A run builds only the subcommand it names (picocli reads a command's annotations when it is added, which is most
 * of a short command's own time); help, completion, no command or an unknown one build them all.
 * <p>
 * The client options ({@code --server}, {@code --token}, {@code --json}) are also accepted here, before the command;
 * a command that has no such option of its own refuses them as a usage error rather than ignoring them.
 */
@Command(
    name = "axiom",
    mixinStandardHelpOptions = true,
    versionProvider = ExitStatus.Version.class,
    description = "Axiom: a durable workflow engine with exactly-once business outcomes.",
    commandListHeading = "%nCommands:%n",
    footer = {"", "--server, --token and --json may come before the command or after it: " +
        "axiom --json workflow list is axiom workflow list --json."},
    synopsisSubcommandLabel = "COMMAND")
public final class AxiomMain implements Runnable
{
    /** The subcommands, in the order help lists them; {@code help} and {@code completion} follow. */
    static final List<Class<?>> COMMANDS = List.of(
        ServerCommand.class,
        WorkerCommand.class,
        WalCommand.class,
        WorkflowCommand.class,
        TasksCommand.class,
        MetricsCommand.class,
        ChaosCommand.class,
        VerifyCommand.class,
        SnapshotCommand.class,
        ClusterCommand.class);

    /** Done. */
    public static final int EXIT_OK = ExitStatus.EXIT_OK;
    /** The operation failed: corruption found, port taken, I/O error. */
    public static final int EXIT_FAILED = ExitStatus.EXIT_FAILED;
    /** Usage or configuration error, or a fatal engine failure at start. */
    public static final int EXIT_USAGE = ExitStatus.EXIT_USAGE;

    @Spec
    private CommandSpec spec;

    @Mixin(name = ClientOptions.GLOBAL)
    private ClientOptions global;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: give one of " +
            String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * @param args command-line arguments.
     */
    public static void main(final String[] args)
    {
        final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        final PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(execute(System.getenv(), out, err, args));
    }

    /**
     * Run one command to completion.
     *
     * @param env  environment variables the command sees (tests pass their own).
     * @param out  standard output.
     * @param err  standard error.
     * @param args command-line arguments.
     * @return the exit code.
     */
    public static int execute(
        final Map<String, String> env, final PrintWriter out, final PrintWriter err, final String... args)
    {
        final boolean versionOnly = 1 == args.length && ("--version".equals(args[0]) || "-V".equals(args[0]));
        final CommandLine commandLine = build(env, versionOnly ? null : commandWord(args), !versionOnly);
        commandLine.setOut(out);
        commandLine.setErr(err);
        final int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * @param env environment variables handed to commands that read them.
     * @return the configured command line, with every subcommand.
     */
    public static CommandLine commandLine(final Map<String, String> env)
    {
        return commandLine(env, null);
    }

    /**
     * @param args command-line arguments.
     * @return the first one that is not a client option given before the command ({@code --json},
     * {@code --server URL}, {@code --token T}), or null when there is none.
     */
    public static String commandWord(final String... args)
    {
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if ("--server".equals(arg) || "--token".equals(arg))
            {
                i++;
            }
            else if (!"--json".equals(arg) && !arg.startsWith("--server=") && !arg.startsWith("--token="))
            {
                return arg;
            }
        }
        return null;
    }

    /**
     * @param env     environment variables handed to commands that read them.
     * @param command the command this run names, or null: only that subcommand is built when it is one of
     *                {@link #COMMANDS}, else all of them.
     * @return the configured command line.
     */
    public static CommandLine commandLine(final Map<String, String> env, final String command)
    {
        return build(env, command, true);
    }

    /**
     * @param env         environment variables handed to commands that read them.
     * @param command     the command this run names, or null.
     * @param subcommands false to build none ({@code axiom --version} needs none).
     * @return the configured command line.
     */
    private static CommandLine build(final Map<String, String> env, final String command, final boolean subcommands)
    {
        final CommandLine.IFactory defaults = CommandLine.defaultFactory();
        final CommandLine.IFactory factory = new CommandLine.IFactory()
        {
            public <K> K create(final Class<K> cls) throws Exception
            {
                final K instance = defaults.create(cls);
                if (instance instanceof EnvironmentAware aware)
                {
                    aware.environment(env);
                }
                return instance;
            }
        };

        final CommandLine commandLine = new CommandLine(new AxiomMain(), factory);
        Class<?> only = null;
        for (final Class<?> cls : COMMANDS)
        {
            if (cls.getAnnotation(Command.class).name().equals(command))
            {
                only = cls;
            }
        }
        // added as command lines, not classes: picocli applies a command's model transformer only when it builds
        // the command line itself (the server's --KEY flags come from one)
        if (null != only)
        {
            commandLine.addSubcommand(new CommandLine(only, factory));
        }
        else if (subcommands)
        {
            for (final Class<?> cls : COMMANDS)
            {
                commandLine.addSubcommand(new CommandLine(cls, factory));
            }
            commandLine.addSubcommand(CommandLine.HelpCommand.class);
            commandLine.addSubcommand("completion", new AutoComplete.GenerateCompletion());
            commandLine.getSubcommands().get("completion").getCommandSpec().usageMessage().hidden(false)
                .description("Print a bash/zsh completion script: source <(bin/axiom completion)");
        }
        commandLine.setExecutionStrategy(parseResult ->
        {
            refuseMisplacedGlobals(parseResult);
            return new CommandLine.RunLast().execute(parseResult);
        });
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            if (ex instanceof ConfigException)
            {
                cmd.getErr().println("axiom: configuration error: " + ex.getMessage());
                return EXIT_USAGE;
            }
            cmd.getErr().println("axiom: " + cmd.getCommandName() + " failed: " + ex);
            return EXIT_FAILED;
        });
        return commandLine;
    }

    /**
     * A client option given before a command that has no such option ({@code axiom --json server}) is a usage
     * error, not silently ignored.
     */
    private static void refuseMisplacedGlobals(final ParseResult parseResult)
    {
        final List<CommandLine> commands = parseResult.asCommandLineList();
        final CommandLine leaf = commands.get(commands.size() - 1);
        if (commands.size() < 2 || parseResult.isUsageHelpRequested() || parseResult.isVersionHelpRequested() ||
            leaf.isUsageHelpRequested() || leaf.isVersionHelpRequested())
        {
            return;
        }
        for (final CommandLine.Model.OptionSpec option : parseResult.matchedOptions())
        {
            if (!option.usageHelp() && !option.versionHelp() &&
                null == leaf.getCommandSpec().findOption(option.longestName()))
            {
                throw new CommandLine.ParameterException(leaf, option.longestName() + " is not an option of '" +
                    leaf.getCommandSpec().qualifiedName(" ") + "'; it applies to the client commands " +
                    "(workflow, tasks, metrics, chaos run, verify, snapshot" +
                    (option.longestName().equals("--json") ? ", wal dump" : "") + ")");
            }
        }
    }
}
