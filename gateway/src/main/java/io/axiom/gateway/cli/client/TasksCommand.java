package io.axiom.gateway.cli.client;

import java.io.PrintWriter;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import io.axiom.gateway.cli.ExitStatus;

/**
 * {@code axiom tasks}: the task queues, per step name.
 */
@Command(name = "tasks", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Show the task queues per step name (queued, leased): GET /api/v1/tasks.")
public final class TasksCommand extends ClientCommand
{
    @Override
    protected int execute(final AxiomClient client, final PrintWriter out)
    {
        final JsonNode tasks = client.get("/api/v1/tasks").json();
        if (json())
        {
            printJson(out, tasks);
        }
        else
        {
            Views.tasks(out, tasks);
        }
        return ExitStatus.EXIT_OK;
    }
}
