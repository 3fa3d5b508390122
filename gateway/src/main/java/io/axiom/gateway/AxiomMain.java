package io.axiom.gateway;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import io.axiom.gateway.cli.EnvironmentAware;
import io.axiom.gateway.cli.ExitStatus;
import io.axiom.gateway.cli.ServerCommand;
import io.axiom.gateway.cli.WalCommand;
import io.axiom.gateway.cli.WorkerCommand;
import io.axiom.gateway.cli.client.ChaosCommand;
import io.axiom.gateway.cli.client.MetricsCommand;
import io.axiom.gateway.cli.client.TasksCommand;
import io.axiom.gateway.cli.client.VerifyCommand;
import io.axiom.gateway.cli.client.WorkflowCommand;
import io.axiom.gateway.config.ConfigException;

/**
 * The {@code axiom} command. Each subcommand is one line in {@code subcommands}; {@code axiom --help} lists them
 * with their one-line descriptions. Exit codes: 0 ok, 1 operation failed, 2 usage or configuration error.
 */
@Command(
    name = "axiom",
    mixinStandardHelpOptions = true,
    versionProvider = ExitStatus.Version.class,
    description = "Axiom: a durable workflow engine with exactly-once business outcomes.",
    commandListHeading = "%nCommands:%n",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
        ServerCommand.class,
        WorkerCommand.class,
        WalCommand.class,
        WorkflowCommand.class,
        TasksCommand.class,
        MetricsCommand.class,
        ChaosCommand.class,
        VerifyCommand.class,
        CommandLine.HelpCommand.class
    })
public final class AxiomMain implements Runnable
{
    /** Done. */
    public static final int EXIT_OK = ExitStatus.EXIT_OK;
    /** The operation failed: corruption found, port taken, I/O error. */
    public static final int EXIT_FAILED = ExitStatus.EXIT_FAILED;
    /** Usage or configuration error, or a fatal engine failure at start. */
    public static final int EXIT_USAGE = ExitStatus.EXIT_USAGE;

    @Spec
    private CommandSpec spec;

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
        final CommandLine commandLine = commandLine(env);
        commandLine.setOut(out);
        commandLine.setErr(err);
        final int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * @param env environment variables handed to commands that read them.
     * @return the configured command line.
     */
    public static CommandLine commandLine(final Map<String, String> env)
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
        commandLine.addSubcommand("completion", new AutoComplete.GenerateCompletion());
        commandLine.getSubcommands().get("completion").getCommandSpec().usageMessage().hidden(false)
            .description("Print a bash/zsh completion script: source <(bin/axiom completion)");
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
}
