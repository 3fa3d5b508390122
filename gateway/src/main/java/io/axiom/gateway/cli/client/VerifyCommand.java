package io.axiom.gateway.cli.client;

import java.io.PrintWriter;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import io.axiom.gateway.AxiomMain;

/**
 * {@code axiom verify}: ask the server to prove its state from the log. The endpoint belongs to the verify
 * capability; a server without it answers 404, which this command reports as it is, with exit 1.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Ask the server to check that its state equals a replay of its log: POST /api/v1/verify.",
        "Exit 0 when consistent, 1 when the server reports a difference (\"ok\" or \"consistent\" false)."
    })
public final class VerifyCommand extends ClientCommand
{
    @Override
    protected int execute(final AxiomClient client, final PrintWriter out)
    {
        final JsonNode result = client.post("/api/v1/verify", null, null).json();
        if (json())
        {
            printJson(out, result);
        }
        else
        {
            Views.flat(out, result);
        }
        final boolean inconsistent = isFalse(result.get("ok")) || isFalse(result.get("consistent"));
        if (inconsistent)
        {
            spec.commandLine().getErr().println("axiom: INCONSISTENT: the server reports that its state differs " +
                "from a replay of its log");
        }
        return inconsistent ? AxiomMain.EXIT_FAILED : AxiomMain.EXIT_OK;
    }

    private static boolean isFalse(final JsonNode node)
    {
        return null != node && node.isBoolean() && !node.booleanValue();
    }
}
