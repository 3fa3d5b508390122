package io.axiom.gateway.cli.client;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import io.axiom.gateway.cli.ExitStatus;

/**
 * {@code axiom workflow ...}: list, inspect, read the events of, replay, create, advance and cancel workflows on a
 * running server, through its REST API.
 */
@Command(
    name = "workflow",
    mixinStandardHelpOptions = true,
    description = "Work with the workflows of a running server: list, inspect, events, replay, create, advance, " +
        "cancel.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
        WorkflowCommand.ListWorkflows.class,
        WorkflowCommand.Inspect.class,
        WorkflowCommand.Events.class,
        WorkflowCommand.Replay.class,
        WorkflowCommand.Create.class,
        WorkflowCommand.Advance.class,
        WorkflowCommand.Cancel.class
    })
public final class WorkflowCommand implements Runnable
{
    /** Root of the workflow resources. */
    static final String WORKFLOWS = "/api/v1/workflows";

    @Spec
    private CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: give one of " +
            String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * @param id a workflow id as typed.
     * @return the path of that workflow's resource.
     */
    static String path(final String id)
    {
        return WORKFLOWS + "/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * @param line   the command line, for the usage error.
     * @param option the option's name.
     * @param text   JSON text given on the command line.
     * @return the parsed value.
     * @throws CommandLine.ParameterException when the text is not JSON.
     */
    static JsonNode parseJson(final CommandLine line, final String option, final String text)
    {
        try
        {
            final JsonNode node = AxiomClient.MAPPER.readTree(text);
            if (null == node || node.isMissingNode())
            {
                throw new CommandLine.ParameterException(line, option + " is empty; give a JSON value");
            }
            return node;
        }
        catch (final JsonProcessingException ex)
        {
            throw new CommandLine.ParameterException(line, option + " is not valid JSON: " +
                ex.getOriginalMessage());
        }
    }

    /**
     * Print a workflow answer as JSON or as the inspect view, after a one-line summary.
     */
    private static int printWorkflow(
        final ClientCommand command, final PrintWriter out, final String summary, final JsonNode workflow)
    {
        if (command.json())
        {
            ClientCommand.printJson(out, workflow);
        }
        else
        {
            if (null != summary)
            {
                out.println(summary);
                out.println();
            }
            Views.workflow(out, workflow);
        }
        return ExitStatus.EXIT_OK;
    }

    /**
     * {@code axiom workflow list}.
     */
    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
        description = "List or search workflows (newest last unless --order desc): GET /api/v1/workflows.")
    public static final class ListWorkflows extends ClientCommand
    {
        @Option(names = "--state", paramLabel = "STATE", completionCandidates = Candidates.States.class,
            description = "only workflows in this state: ${COMPLETION-CANDIDATES}")
        String state;

        @Option(names = "--limit", paramLabel = "N", description = "at most N workflows (server default 50, max 1000)")
        Integer limit;

        @Option(names = "--offset", paramLabel = "N", description = "skip the first N matches")
        Integer offset;

        @Option(names = "--name", paramLabel = "NAME", description = "only workflows with exactly this name")
        String name;

        @Option(names = "--name-prefix", paramLabel = "PREFIX", description = "only workflows whose name starts so")
        String namePrefix;

        @Option(names = "--step", paramLabel = "STEP", description = "only workflows whose current step has this name")
        String step;

        @Option(names = "--created-after", paramLabel = "TIME",
            description = "only workflows created at or after this ISO-8601 instant (2026-11-30T10:00:00Z)")
        String createdAfter;

        @Option(names = "--created-before", paramLabel = "TIME",
            description = "only workflows created before this ISO-8601 instant")
        String createdBefore;

        @Option(names = "--sort", paramLabel = "FIELD", description = "id (default) or created_at")
        String sort;

        @Option(names = "--order", paramLabel = "ORDER", description = "asc (default) or desc")
        String order;

        @Override
        protected int execute(final AxiomClient client, final PrintWriter out)
        {
            final StringBuilder query = new StringBuilder();
            append(query, "state", state);
            append(query, "name", name);
            append(query, "name_prefix", namePrefix);
            append(query, "step", step);
            append(query, "created_after", createdAfter);
            append(query, "created_before", createdBefore);
            append(query, "sort", sort);
            append(query, "order", order);
            append(query, "limit", null == limit ? null : limit.toString());
            append(query, "offset", null == offset ? null : offset.toString());
            final JsonNode page = client.get(WORKFLOWS + query).json();
            if (json())
            {
                printJson(out, page);
            }
            else
            {
                Views.workflowList(out, page);
            }
            return ExitStatus.EXIT_OK;
        }

        static void append(final StringBuilder query, final String name, final String value)
        {
            if (null != value)
            {
                query.append(query.isEmpty() ? '?' : '&').append(name).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * {@code axiom workflow inspect ID}.
     */
    @Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show one workflow and its steps: GET /api/v1/workflows/{id}.")
    public static final class Inspect extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "ID", description = "workflow id")
        String id;

        @Override
        protected int execute(final AxiomClient client, final PrintWriter out)
        {
            return printWorkflow(this, out, null, client.get(path(id)).json());
        }
    }

    /**
     * {@code axiom workflow events ID}.
     */
    @Command(name = "events", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Show a workflow's events, read from the log: GET /api/v1/workflows/{id}/events.")
    public static final class Events extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "ID", description = "workflow id")
        String id;

        @Option(names = "--after", paramLabel = "POS",
            description = "only events after this journal position (the next_after of the previous page)")
        Long after;

        @Option(names = "--limit", paramLabel = "N", description = "at most N events (server default and max 1000)")
        Integer limit;

        @Override
        protected int execute(final AxiomClient client, final PrintWriter out)
        {
            final StringBuilder query = new StringBuilder();
            ListWorkflows.append(query, "after", null == after ? null : after.toString());
            ListWorkflows.append(query, "limit", null == limit ? null : limit.toString());
            final JsonNode events = client.get(path(id) + "/events" + query).json();
            if (json())
            {
                printJson(out, events);
            }
            else
            {
                Views.events(out, events);
            }
            return ExitStatus.EXIT_OK;
        }
    }

    /**
     * {@code axiom workflow replay ID}.
     */
    @Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Rebuild a workflow from its events alone and compare it to the live state: " +
                "GET /api/v1/workflows/{id}/replay.",
            "Prints the state after each event; exit 0 when the replay matches the live state, 1 when not."
        })
    public static final class Replay extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "ID", description = "workflow id")
        String id;

        @Override
        protected int execute(final AxiomClient client, final PrintWriter out)
        {
            final JsonNode replay = client.get(path(id) + "/replay").json();
            final boolean matches;
            if (json())
            {
                printJson(out, replay);
                matches = replay.path("matches_live").asBoolean(false);
            }
            else
            {
                matches = Views.replay(out, replay);
            }
            if (!matches)
            {
                spec.commandLine().getErr().println("axiom: REPLAY_MISMATCH: the state rebuilt from the log of " +
                    "workflow " + id + " differs from the live state");
            }
            return matches ? ExitStatus.EXIT_OK : ExitStatus.EXIT_FAILED;
        }
    }

    /**
     * The two ways to give steps: names, or JSON for typed steps.
     */
    static final class StepsGroup
    {
        @Option(names = "--steps", paramLabel = "STEP", split = ",", splitSynopsisLabel = ",", required = true,
            description = "step names, comma-separated (task steps)")
        List<String> names;

        @Option(names = "--steps-json", paramLabel = "JSON", required = true,
            description = "steps as a JSON array, for typed steps, e.g. " +
                "'[{\"name\":\"APPROVE\",\"type\":\"approval\"},\"SHIP\"]'")
        String json;
    }

    /**
     * {@code axiom workflow create}.
     */
    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Create a workflow: POST /api/v1/workflows.")
    public static final class Create extends ClientCommand
    {
        @Option(names = "--name", paramLabel = "NAME", required = true, description = "workflow name")
        String name;

        @ArgGroup(exclusive = true, multiplicity = "1")
        StepsGroup steps;

        @Option(names = "--input", paramLabel = "JSON", description = "input document, JSON")
        String input;

        @Option(names = "--idempotency-key", paramLabel = "KEY",
            description = "sent as Idempotency-Key: a repeated create with the same key returns the first workflow")
        String idempotencyKey;

        @Override
        protected int execute(final AxiomClient client, final PrintWriter out)
        {
            final CommandLine line = spec.commandLine();
            final ObjectNode body = AxiomClient.MAPPER.createObjectNode();
            body.put("name", name);
            if (null != steps.json)
            {
                final JsonNode parsed = parseJson(line, "--steps-json", steps.json);
                if (!parsed.isArray())
                {
                    throw new CommandLine.ParameterException(line, "--steps-json must be a JSON array of steps");
                }
                body.set("steps", parsed);
            }
            else
            {
                final ArrayNode array = body.putArray("steps");
                steps.names.forEach(s -> array.add(s.trim()));
            }
            if (null != input)
            {
                body.set("input", parseJson(line, "--input", input));
            }
            final AxiomClient.Answer answer = client.post(WORKFLOWS, body, idempotencyKey);
            final JsonNode workflow = answer.json();
            final String summary = answer.status() == 201 ?
                "created workflow " + Views.text(workflow.get("id")) :
                "workflow " + Views.text(workflow.get("id")) + " already exists for idempotency key " +
                idempotencyKey + "; nothing was written";
            return printWorkflow(this, out, summary, workflow);
        }
    }

    /**
     * {@code axiom workflow advance ID}.
     */
    @Command(name = "advance", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Complete the current approval step: POST /api/v1/workflows/{id}/advance.")
    public static final class Advance extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "ID", description = "workflow id")
        String id;

        @Option(names = "--output", paramLabel = "JSON", description = "the step's output, JSON")
        String output;

        @Option(names = "--expected-step", paramLabel = "STEP",
            description = "refuse (409) unless the current step has this name")
        String expectedStep;

        @Option(names = "--expected-step-index", paramLabel = "N",
            description = "refuse (409) unless step N is current; ALREADY_COMMITTED when it was already completed")
        Integer expectedStepIndex;

        @Option(names = "--idempotency-key", paramLabel = "KEY",
            description = "a retry with the same key answers the first result and writes nothing")
        String idempotencyKey;

        @Override
        protected int execute(final AxiomClient client, final PrintWriter out)
        {
            ObjectNode body = null;
            if (null != output || null != expectedStep || null != expectedStepIndex)
            {
                body = AxiomClient.MAPPER.createObjectNode();
                if (null != output)
                {
                    body.set("output", parseJson(spec.commandLine(), "--output", output));
                }
                if (null != expectedStep)
                {
                    body.put("expected_step", expectedStep);
                }
                if (null != expectedStepIndex)
                {
                    body.put("expected_step_index", expectedStepIndex);
                }
            }
            final JsonNode workflow = client.post(path(id) + "/advance", body, idempotencyKey).json();
            return printWorkflow(this, out, "advanced workflow " + id + ": now " +
                Views.text(workflow.get("state")) + " at " + Views.text(workflow.get("current_step")), workflow);
        }
    }

    /**
     * {@code axiom workflow cancel ID}.
     */
    @Command(name = "cancel", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Cancel a workflow: POST /api/v1/workflows/{id}/cancel.")
    public static final class Cancel extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "ID", description = "workflow id")
        String id;

        @Option(names = "--reason", paramLabel = "TEXT", description = "why, recorded in the event")
        String reason;

        @Option(names = "--expected-step-index", paramLabel = "N",
            description = "refuse (409) unless step N is current")
        Integer expectedStepIndex;

        @Option(names = "--idempotency-key", paramLabel = "KEY",
            description = "a retry with the same key answers the first result and writes nothing")
        String idempotencyKey;

        @Override
        protected int execute(final AxiomClient client, final PrintWriter out)
        {
            ObjectNode body = null;
            if (null != reason || null != expectedStepIndex)
            {
                body = AxiomClient.MAPPER.createObjectNode();
                if (null != reason)
                {
                    body.put("reason", reason);
                }
                if (null != expectedStepIndex)
                {
                    body.put("expected_step_index", expectedStepIndex);
                }
            }
            final JsonNode workflow = client.post(path(id) + "/cancel", body, idempotencyKey).json();
            return printWorkflow(this, out, "cancelled workflow " + id, workflow);
        }
    }
}
