package io.axiom.gateway.cli.client;

import java.io.PrintWriter;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.axiom.gateway.cli.ExitStatus;

/**
 * {@code axiom snapshot take} and {@code axiom snapshot list}: snapshots of a running server's state, through its
 * REST API ({@code POST} and {@code GET /api/v1/snapshots}).
 */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    description = "Snapshots of a running server's state: take one now, list those on disk.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
        SnapshotCommand.Take.class,
        SnapshotCommand.ListSnapshots.class
    })
public final class SnapshotCommand implements Runnable
{
    /** The snapshots resource. */
    static final String SNAPSHOTS = "/api/v1/snapshots";

    @Spec
    private CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: give one of " +
            String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * {@code axiom snapshot take}.
     */
    @Command(name = "take", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Take a snapshot now (or join the one being taken) and wait until it is durable: POST /api/v1/snapshots.",
            "The server's gateway.request-timeout-ms bounds its wait; a retry after a timeout joins the snapshot " +
                "still being written."
        })
    public static final class Take extends ClientCommand
    {
        @Option(names = "--timeout-s", paramLabel = "S", order = 1, defaultValue = "600",
            description = "how long to wait for the answer (default ${DEFAULT-VALUE})")
        long timeoutSeconds;

        @Override
        protected int execute(final AxiomClient client, final PrintWriter out)
        {
            if (timeoutSeconds <= 0)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--timeout-s must be positive");
            }
            final JsonNode taken = client.postWaiting(SNAPSHOTS, null, Duration.ofSeconds(timeoutSeconds)).json();
            if (json())
            {
                printJson(out, taken);
            }
            else
            {
                new Table("FILE", "POSITION", "SEQUENCE", "BYTES", "DURATION", "JOINED")
                    .row(Views.text(taken.get("file")), Views.text(taken.get("position")),
                        Views.text(taken.get("sequence")), Views.text(taken.get("bytes")),
                        Views.text(taken.get("duration_ms")) + " ms", Views.text(taken.get("joined")))
                    .print(out);
            }
            return ExitStatus.EXIT_OK;
        }
    }

    /**
     * {@code axiom snapshot list}.
     */
    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
        description = "List the snapshots on disk, newest first, and the one start-up would load: " +
            "GET /api/v1/snapshots.")
    public static final class ListSnapshots extends ClientCommand
    {
        @Override
        protected int execute(final AxiomClient client, final PrintWriter out)
        {
            final JsonNode list = client.get(SNAPSHOTS).json();
            if (json())
            {
                printJson(out, list);
                return ExitStatus.EXIT_OK;
            }
            final Table table = new Table("FILE", "POSITION", "SEQUENCE", "BYTES", "WRITTEN AT", "STARTUP", "PROBLEM");
            for (final JsonNode s : list.path("snapshots"))
            {
                table.row(Views.text(s.get("file")), Views.text(s.get("position")), Views.text(s.get("sequence")),
                    Views.text(s.get("bytes")), Views.text(s.get("written_at")),
                    s.path("startup").asBoolean() ? "yes" : "", Views.text(s.get("problem")));
            }
            table.print(out);
            out.println(table.size() + " snapshot(s)" + (list.path("enabled").asBoolean(true) ? "" :
                "; snapshots are off (wal.snapshot-retain=0): start-up replays the whole log"));
            return ExitStatus.EXIT_OK;
        }
    }
}
