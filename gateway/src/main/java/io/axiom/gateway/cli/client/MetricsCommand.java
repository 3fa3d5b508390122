package io.axiom.gateway.cli.client;

import java.io.PrintWriter;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import io.axiom.gateway.cli.ExitStatus;

/**
 * {@code axiom metrics}: the server's metrics document, one line per value.
 */
@Command(name = "metrics", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Show the server's metrics, one key per line: GET /api/v1/metrics.")
public final class MetricsCommand extends ClientCommand
{
    @Override
    protected int execute(final AxiomClient client, final PrintWriter out)
    {
        final JsonNode metrics = client.get("/api/v1/metrics").json();
        if (json())
        {
            printJson(out, metrics);
        }
        else
        {
            Views.flat(out, metrics);
        }
        return ExitStatus.EXIT_OK;
    }
}
