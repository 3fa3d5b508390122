package io.axiom.gateway.cli.client;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.axiom.core.LogVerifier;
import io.axiom.core.api.VerificationReport;
import io.axiom.core.api.Violation;
import io.axiom.gateway.cli.ExitStatus;

/**
 * {@code axiom verify}: prove from the log that a server's state is what its events say, and that the log keeps
 * Axiom's promises. Two ways:
 * <ul>
 *     <li>{@code --server URL} (the default, as for every client command): {@code POST /api/v1/verify}, a live verify
 *     that holds the server's processor only for one consistent point;</li>
 *     <li>{@code --data-dir D}: offline, no server needed; the data directory is read read-only, without its lock
 *     (verify a stopped server's directory this way: a running server may be writing the tail).</li>
 * </ul>
 * Both print the same report (or its JSON with {@code --json}); exit 0 when it found no violation, 1 when it found any
 * (each one a line naming its kind, position, workflow and step) or could not run, 2 for bad usage.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Verify a log: replay it from disk through a fresh strict state machine and check checksums, sequence, " +
            "legal transitions, one commit per step, fencing tokens, completed and stuck workflows.",
        "Live (default): POST /api/v1/verify on the server, also comparing its state's digest with the log's.",
        "Offline: --data-dir DIR, no server needed, read-only.",
        "Exit 0 when no violation was found, 1 when any was (or verify could not run), 2 for bad usage."
    })
public final class VerifyCommand extends ClientCommand
{
    @Option(names = "--data-dir", paramLabel = "DIR", order = 1,
        description = "verify this data directory offline, without a server (read-only, takes no lock)")
    Path dataDir;

    @Option(names = "--timeout-s", paramLabel = "S", order = 2, defaultValue = "600",
        description = "how long to wait for the server's report (it reads the whole log; default ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Override
    protected Integer withoutServer(final PrintWriter out, final PrintWriter err)
    {
        if (timeoutSeconds <= 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout-s must be positive");
        }
        if (null == dataDir)
        {
            return null;
        }
        if (null != options.server)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "give --server (verify a running server) or --data-dir (verify a directory offline), not both");
        }
        if (!Files.isDirectory(dataDir))
        {
            err.println("axiom: no data directory at " + dataDir.toAbsolutePath());
            return ExitStatus.EXIT_FAILED;
        }
        final VerificationReport report = LogVerifier.verify(dataDir);
        if (json())
        {
            printJson(out, tree(report.toJson()));
        }
        else
        {
            out.print(report.toText());
        }
        return exit(report, err);
    }

    @Override
    protected int execute(final AxiomClient client, final PrintWriter out)
    {
        final JsonNode result = client.postWaiting("/api/v1/verify", null, Duration.ofSeconds(timeoutSeconds)).json();
        final VerificationReport report = report(result);
        if (json())
        {
            printJson(out, result);
        }
        else if (null != report)
        {
            out.print(report.toText());
        }
        else
        {
            Views.flat(out, result);
        }
        final PrintWriter err = spec.commandLine().getErr();
        if (null != report)
        {
            return exit(report, err);
        }
        final boolean inconsistent = isFalse(result.get("ok")) || isFalse(result.get("consistent"));
        if (inconsistent)
        {
            err.println("axiom: INCONSISTENT: the server reports that its state differs from a replay of its log");
        }
        return inconsistent ? ExitStatus.EXIT_FAILED : ExitStatus.EXIT_OK;
    }

    private static int exit(final VerificationReport report, final PrintWriter err)
    {
        if (report.ok())
        {
            return ExitStatus.EXIT_OK;
        }
        if (Boolean.FALSE.equals(report.consistent()))
        {
            err.println("axiom: INCONSISTENT: the server's state differs from a replay of its log");
        }
        err.println("axiom: VIOLATIONS: " + report.violationCount() + " found in the log (listed above, each with " +
            "its position, workflow and step)");
        return ExitStatus.EXIT_FAILED;
    }

    /**
     * @return the report the server sent, or null when its answer is not a verify report of this version.
     */
    static VerificationReport report(final JsonNode json)
    {
        final JsonNode violations = json.get("violations");
        if (!json.path("ok").isBoolean() || null == violations || !violations.isArray() ||
            !json.path("digest").isTextual())
        {
            return null;
        }
        try
        {
            final List<Violation> list = new ArrayList<>();
            for (final JsonNode v : violations)
            {
                list.add(new Violation(Violation.Kind.valueOf(v.get("kind").asText()),
                    v.path("workflow_id").isNumber() ? v.get("workflow_id").asLong() : Violation.NONE,
                    v.path("step_index").isNumber() ? v.get("step_index").asInt() : Violation.NONE,
                    v.get("position").asLong(), v.get("detail").asText()));
            }
            final Map<String, Long> byState = new LinkedHashMap<>();
            json.path("workflows_by_state").fields()
                .forEachRemaining(e -> byState.put(e.getKey(), e.getValue().asLong()));
            final JsonNode live = json.get("live");
            return new VerificationReport(json.get("data_dir").asText(), json.get("events_read").asLong(),
                json.get("workflows").asLong(), byState, json.get("first_position").asLong(),
                json.get("last_position").asLong(), json.get("end_position").asLong(),
                Long.parseUnsignedLong(json.get("digest").asText().substring(2), 16),
                null == live || live.isNull() ? null : new VerificationReport.Live(live.get("position").asLong(),
                Long.parseUnsignedLong(live.get("digest").asText().substring(2), 16),
                Math.round(live.get("processor_hold_us").asDouble() * 1e3)),
                Math.round(json.get("duration_ms").asDouble() * 1e6), json.get("violation_count").asLong(), list);
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    private static JsonNode tree(final String json)
    {
        try
        {
            return AxiomClient.MAPPER.readTree(json);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("a verify report always renders as JSON", ex);
        }
    }

    private static boolean isFalse(final JsonNode node)
    {
        return null != node && node.isBoolean() && !node.booleanValue();
    }
}
