package io.axiom.gateway.cli.client;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.axiom.codecs.WorkflowState;
import io.axiom.gateway.AxiomMain;
import io.axiom.gateway.chaos.ChaosScenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code axiom completion} completes values too: the workflow states after {@code --state}, the chaos scenarios
 * after {@code chaos run}, true/false for the server's boolean flags and the choices of its choice flags
 * ({@code --log-format}).
 */
class CompletionTest
{
    @Test
    void theScriptOffersTheStatesTheScenariosAndBooleans()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AxiomMain.execute(Map.of(), new PrintWriter(out), new PrintWriter(err), "completion");

        assertEquals(0, code, err.toString());
        final String script = out.toString();
        final StringBuilder states = new StringBuilder();
        for (final WorkflowState state : WorkflowState.values())
        {
            if (state != WorkflowState.NULL_VAL)
            {
                states.append(states.isEmpty() ? "" : " ").append('"').append(state.name()).append('"');
            }
        }
        assertEquals("\"CREATED\" \"RUNNING\" \"WAITING\" \"COMPLETED\" \"FAILED\" \"CANCELLED\"", states.toString());
        assertTrue(script.contains("=(" + states + ") # --state values"), script);
        for (final ChaosScenario scenario : ChaosScenario.values())
        {
            assertTrue(script.contains("\"" + scenario.wireName() + "\""), scenario.wireName());
        }
        assertTrue(script.contains("=(\"true\" \"false\") # --wal.fsync values"), "boolean server flags");
        assertTrue(script.contains("=(\"text\" \"json\") # --log-format values"), "choice server flags");
        assertTrue(script.contains("=(\"error\" \"warn\" \"info\" \"debug\") # --log.level values"),
            "choice server flags");
        assertTrue(script.contains("--json") && script.contains("--server") && script.contains("--token"),
            "the client options before the command");
    }

    @Test
    void theHelpNamesTheCandidates()
    {
        final StringWriter out = new StringWriter();
        AxiomMain.execute(Map.of(), new PrintWriter(out), new PrintWriter(new StringWriter()), "workflow", "list",
            "--help");
        assertTrue(out.toString().replaceAll("\\s+", " ")
            .contains("only workflows in this state: CREATED, RUNNING, WAITING, COMPLETED, FAILED, CANCELLED"),
            out.toString());
    }
}
