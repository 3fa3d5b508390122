package io.axiom.gateway.cli.client;

import java.io.PrintWriter;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import io.axiom.gateway.cli.ExitStatus;

/**
 * {@code axiom chaos run SCENARIO}: ask the server to inject faults and print the run's report. A server started
 * without {@code --chaos-enabled} answers 403, which this command reports as it is, with exit 1.
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description = {"Fault injection on a running server (chaos run SCENARIO).",
        "bin/axiom chaos soak (the SIGKILL soak of a real server and workers) runs on the chaos module: " +
            "bin/axiom chaos soak --help."},
    synopsisSubcommandLabel = "COMMAND",
    subcommands = ChaosCommand.Run.class)
public final class ChaosCommand implements Runnable
{
    @Spec
    private CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: give run " +
            "(a scenario on a server started with --chaos-enabled), or soak (bin/axiom chaos soak --help: SIGKILLs " +
            "of a real server and workers, run by bin/axiom on the chaos module)");
    }

    /**
     * {@code axiom chaos run SCENARIO [--duration MS] [--seed N]}.
     */
    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a chaos scenario (process_kill, delay_injection, message_drop): POST /api/v1/chaos/run.")
    public static final class Run extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "SCENARIO", completionCandidates = Candidates.Scenarios.class,
            description = "one of ${COMPLETION-CANDIDATES}")
        String scenario;

        @Option(names = "--duration", paramLabel = "MS",
            description = "how long to inject faults, in milliseconds (default 10000 on the server)")
        Long durationMs;

        @Option(names = "--seed", paramLabel = "N",
            description = "seed of the fault moments and choices (default: drawn by the server and reported)")
        Long seed;

        @Override
        protected int execute(final AxiomClient client, final PrintWriter out)
        {
            if (null != durationMs && durationMs <= 0)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--duration must be positive, got " +
                    durationMs);
            }
            final ObjectNode body = AxiomClient.MAPPER.createObjectNode();
            body.put("scenario", scenario);
            if (null != durationMs)
            {
                body.put("duration_ms", durationMs);
            }
            if (null != seed)
            {
                body.put("seed", seed);
            }
            // the server answers when the run ends
            final Duration wait = Duration.ofMillis(null == durationMs ? 10_000 : durationMs).plusSeconds(60);
            final JsonNode result = client.postWaiting("/api/v1/chaos/run", body, wait).json();
            if (json())
            {
                printJson(out, result);
            }
            else
            {
                Views.flat(out, result);
            }
            return ExitStatus.EXIT_OK;
        }
    }
}
