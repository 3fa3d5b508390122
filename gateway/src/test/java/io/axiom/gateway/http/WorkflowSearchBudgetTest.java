package io.axiom.gateway.http;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.AxiomMain;
import io.axiom.gateway.TestServer;
import io.axiom.gateway.TestServer.Response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A search's work budget ({@code core.search-budget}, here 2 workflows) seen through every client: a total the
 * indexes count stays exact, a total that needs a walk past the budget is a lower bound ({@code total_exact} false in
 * REST, {@code totalExact} in GraphQL, "N+" in the CLI), and a page that finds nothing within it is a 400
 * SEARCH_TOO_DEEP that changes nothing.
 */
class WorkflowSearchBudgetTest
{
    private static final String WORKFLOWS = "/api/v1/workflows";

    @TempDir
    static Path dataDir;

    private static TestServer server;
    private static final List<String> IDS = new ArrayList<>();

    @BeforeAll
    static void start()
    {
        server = TestServer.start(dataDir, "--core.search-budget", "2");
        for (int i = 0; i < 6; i++)
        {
            final Response r = server.postJson(WORKFLOWS, "{\"name\":\"pay-" + i + "\",\"steps\":[{\"name\":" +
                "\"REVIEW\",\"type\":\"approval\"}]}");
            assertEquals(201, r.status(), r::toString);
            IDS.add(r.json().get("id").asText());
        }
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void totalsTheIndexesCountStayExact()
    {
        for (final String query : List.of("state=WAITING", "name_prefix=pay-", "step=REVIEW",
            "step=REVIEW&state=WAITING", "name=pay-3", "created_after=2000-01-01T00:00:00Z&state=WAITING"))
        {
            final JsonNode page = page(query + "&limit=2");
            assertEquals(query.equals("name=pay-3") ? 1 : 6, page.get("total").asInt(), query + ": " + page);
            assertTrue(page.get("total_exact").asBoolean(), query + ": " + page);
        }
    }

    @Test
    void aTotalPastTheBudgetIsALowerBoundSaidSo()
    {
        final JsonNode page = page("name_prefix=pay-&state=WAITING&limit=1");
        assertEquals(2, page.get("total").asInt(), page::toString);
        assertFalse(page.get("total_exact").asBoolean(), page::toString);
        assertEquals(IDS.get(0), page.get("workflows").get(0).get("id").asText());
        assertEquals(1, page.get("next_offset").asInt(), "more may follow: " + page);

        final Response graphql = server.postJson("/graphql", "{\"query\":\"{ workflows(namePrefix: \\\"pay-\\\", " +
            "state: WAITING, limit: 1) { total totalExact next_offset items { id } } }\"}");
        assertEquals(200, graphql.status(), graphql::toString);
        final JsonNode workflows = graphql.json().at("/data/workflows");
        assertEquals(2, workflows.get("total").asInt(), graphql::toString);
        assertFalse(workflows.get("totalExact").asBoolean(), graphql::toString);
        assertEquals(1, workflows.get("next_offset").asInt(), graphql::toString);

        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AxiomMain.execute(Map.of(), new PrintWriter(out), new PrintWriter(err), "workflow", "list",
            "--name-prefix", "pay-", "--state", "WAITING", "--limit", "1", "--server",
            "http://127.0.0.1:" + server.port());
        assertEquals(0, code, err::toString);
        assertTrue(out.toString().contains("workflows 1-1 of 2+"), out::toString);
    }

    @Test
    void aPageThatFindsNothingWithinTheBudgetIsRefusedAndChangesNothing()
    {
        final String before = server.get(WORKFLOWS + "?limit=1000").body();
        final Response r = server.get(WORKFLOWS + "?name_prefix=pay-&state=WAITING&offset=4");
        assertEquals(400, r.status(), r::toString);
        assertTrue(r.contentType().startsWith("application/problem+json"), r::toString);
        assertEquals("SEARCH_TOO_DEEP", r.json().get("code").asText(), r::toString);
        assertTrue(r.json().get("detail").asText().contains("narrow it"), r::toString);
        assertEquals(before, server.get(WORKFLOWS + "?limit=1000").body(), "nothing changed");

        final JsonNode deepButIndexed = page("state=WAITING&offset=4");
        assertEquals(List.of(IDS.get(4), IDS.get(5)), ids(deepButIndexed), "an offset passed over by rank");
        assertTrue(deepButIndexed.get("total_exact").asBoolean());
    }

    private static JsonNode page(final String query)
    {
        final Response r = server.get(WORKFLOWS + "?" + query);
        assertEquals(200, r.status(), query + ": " + r);
        return r.json();
    }

    private static List<String> ids(final JsonNode page)
    {
        final List<String> ids = new ArrayList<>();
        page.get("workflows").forEach(w -> ids.add(w.get("id").asText()));
        return ids;
    }
}
