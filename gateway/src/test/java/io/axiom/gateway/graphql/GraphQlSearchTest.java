package io.axiom.gateway.graphql;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code workflows(...)} searches like REST: the same filters, sort and order enums, and the same refusals as
 * BAD_USER_INPUT.
 */
class GraphQlSearchTest
{
    @TempDir
    static Path dataDir;

    private static TestServer server;
    private static GraphQlHttp graphql;
    private static final List<String> IDS = new ArrayList<>();
    private static String firstCreatedAt;

    @BeforeAll
    static void start()
    {
        server = SmallServer.start(dataDir);
        graphql = new GraphQlHttp(server);
        for (final String name : List.of("pay-1", "pay-2", "refund", "pay-1"))
        {
            final JsonNode created = graphql.data("mutation { createWorkflow(name: \"" + name +
                "\", steps: [\"" + (name.startsWith("pay") ? "CHARGE" : "REVIEW") + "\"]) { id created_at } }")
                .get("createWorkflow");
            IDS.add(created.get("id").asText());
            if (null == firstCreatedAt)
            {
                firstCreatedAt = created.get("created_at").asText();
            }
        }
        graphql.data("mutation { cancelWorkflow(id: \"" + IDS.get(3) + "\", reason: \"test\") { id } }");
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
    void everyFilterSortAndOrder()
    {
        assertEquals(List.of(IDS.get(0), IDS.get(3)), ids("name: \"pay-1\""));
        assertEquals(List.of(IDS.get(0), IDS.get(1), IDS.get(3)), ids("namePrefix: \"pay\""));
        assertEquals(List.of(IDS.get(0), IDS.get(1)), ids("step: \"CHARGE\""));
        assertEquals(List.of(IDS.get(3)), ids("namePrefix: \"pay\", state: CANCELLED"));
        assertEquals(IDS, ids("createdAfter: \"" + firstCreatedAt + "\""));
        assertEquals(List.of(), ids("createdBefore: \"" + firstCreatedAt + "\""));
        assertEquals(List.of(IDS.get(3), IDS.get(2), IDS.get(1), IDS.get(0)), ids("sort: CREATED_AT, order: DESC"));
        assertEquals(IDS, ids("sort: ID, order: ASC"));

        final JsonNode page = graphql.data("{ workflows(namePrefix: \"pay\", order: DESC, limit: 2) " +
            "{ total totalExact offset limit next_offset items { id } } }").get("workflows");
        assertEquals(3, page.get("total").asInt());
        assertTrue(page.get("totalExact").asBoolean(), "counted within the search's budget");
        assertEquals(2, page.get("next_offset").asInt());
        assertEquals(IDS.get(3), page.get("items").get(0).get("id").asText());
    }

    @Test
    void malformedArgumentsAreBadUserInput()
    {
        refused("createdAfter: \"yesterday\"", "INVALID_QUERY",
            "createdAfter must be an ISO-8601 instant with a zone or offset");
        refused("createdAfter: \"2026-11-30T10:00:00Z\", createdBefore: \"2026-11-30T09:00:00Z\"", "INVALID_QUERY",
            "createdAfter (2026-11-30T10:00:00Z) must be before createdBefore");
        refused("name: \"a\", namePrefix: \"a\"", "INVALID_QUERY", "give name (an exact name) or namePrefix");
        refused("name: \"\"", "INVALID_QUERY", "name must not be empty");
        refused("limit: 1001", "INVALID_QUERY", "limit must be between 0 and 1000");
        refused("offset: -1", "INVALID_QUERY", "offset must be >= 0");
        final JsonNode badEnum = graphql.execute("{ workflows(sort: NAME) { total } }");
        assertTrue(badEnum.has("errors"), badEnum.toString());
        assertTrue(badEnum.toString().contains("WorkflowSort"), badEnum.toString());
    }

    private static void refused(final String arguments, final String reason, final String message)
    {
        final JsonNode result = graphql.execute("{ workflows(" + arguments + ") { total } }");
        assertEquals("BAD_USER_INPUT", GraphQlHttp.onlyErrorCode(result), result::toString);
        final JsonNode error = result.get("errors").get(0);
        assertTrue(error.get("message").asText().startsWith(message), error.toString());
        assertTrue(error.toString().contains(reason), error.toString());
    }

    private static List<String> ids(final String arguments)
    {
        final JsonNode page = graphql.data("{ workflows(" + arguments + ", limit: 1000) { total items { id } } }")
            .get("workflows");
        final List<String> ids = new ArrayList<>();
        page.get("items").forEach(w -> ids.add(w.get("id").asText()));
        assertEquals(page.get("total").asInt(), ids.size(), page.toString());
        return ids;
    }
}
