package io.axiom.gateway.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import io.axiom.gateway.TestServer;
import io.axiom.gateway.TestServer.Response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Search over {@code GET /api/v1/workflows} against a real engine: every filter, both sorts and orders, combinations
 * with paging, and every refusal (a 400 problem with its code, and nothing changed).
 */
class WorkflowSearchApiTest
{
    private static final String WORKFLOWS = "/api/v1/workflows";

    @TempDir
    static Path dataDir;

    private static TestServer server;
    /** Ids of the workflows created, in creation order: pay-1, pay-2, payroll, refund (advanced), pay-1 (cancelled). */
    private static final List<String> IDS = new ArrayList<>();
    private static final List<Long> CREATED = new ArrayList<>();

    @BeforeAll
    static void start()
    {
        server = TestServer.start(dataDir, "--wal.max-segment-size", "1MiB");
        create("pay-1", "[{\"name\":\"REVIEW\",\"type\":\"approval\"},\"CHARGE\"]");
        create("pay-2", "[\"CHARGE\"]");
        create("payroll", "[{\"name\":\"REVIEW\",\"type\":\"approval\"}]");
        create("refund", "[{\"name\":\"REVIEW\",\"type\":\"approval\"},{\"name\":\"SIGN\",\"type\":\"approval\"}]");
        create("pay-1", "[{\"name\":\"REVIEW\",\"type\":\"approval\"}]");
        assertEquals(200, server.postJson(WORKFLOWS + "/" + IDS.get(3) + "/advance", "").status());
        assertEquals(200, server.postJson(WORKFLOWS + "/" + IDS.get(4) + "/cancel", "{\"reason\":\"test\"}").status());
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
    void byExactNameAndByPrefix()
    {
        assertEquals(List.of(IDS.get(0), IDS.get(4)), ids("name=pay-1"));
        assertEquals(List.of(IDS.get(0), IDS.get(1), IDS.get(4)), ids("name_prefix=pay-"));
        assertEquals(List.of(IDS.get(0), IDS.get(1), IDS.get(2), IDS.get(4)), ids("name_prefix=pay"));
        assertEquals(List.of(), ids("name=pay"));
        assertEquals(List.of(), ids("name_prefix=Pay"), "case-sensitive");
        assertEquals(List.of(), ids("name=nobody"));
    }

    @Test
    void byCurrentStepAndState()
    {
        assertEquals(List.of(IDS.get(0), IDS.get(2)), ids("step=REVIEW"), "ended workflows have no current step");
        assertEquals(List.of(IDS.get(3)), ids("step=SIGN"));
        assertEquals(List.of(IDS.get(1)), ids("step=CHARGE"));
        assertEquals(List.of(IDS.get(0), IDS.get(2)), ids("step=REVIEW&state=waiting"));
        assertEquals(List.of(IDS.get(4)), ids("state=CANCELLED&name=pay-1"));
        assertEquals(List.of(IDS.get(2)), ids("name_prefix=pay&step=REVIEW&state=WAITING&offset=1"));
    }

    @Test
    void byCreationRange()
    {
        final long first = CREATED.get(0);
        final long last = CREATED.get(4);
        assertEquals(IDS, ids("created_after=" + iso(first)));
        assertEquals(List.of(), ids("created_after=" + iso(last + 1)));
        assertEquals(List.of(), ids("created_before=" + iso(first)), "created_before is exclusive");
        final List<String> beforeLast = new ArrayList<>();
        for (int i = 0; i < IDS.size(); i++)
        {
            if (CREATED.get(i) < last)
            {
                beforeLast.add(IDS.get(i));
            }
        }
        assertEquals(beforeLast, ids("created_before=" + iso(last)));
        assertEquals(IDS, ids("created_after=" + encode(Instant.ofEpochMilli(first).atOffset(
            java.time.ZoneOffset.ofHours(2)).toString()) + "&created_before=" + iso(last + 1)), "an offset");
        assertEquals(List.of(IDS.get(0), IDS.get(4)), ids("name=pay-1&created_after=" + iso(first) +
            "&created_before=" + iso(last + 1)));
    }

    @Test
    void sortedByIdOrCreationTimeBothWaysWithPages()
    {
        final List<String> reversed = new ArrayList<>(IDS);
        java.util.Collections.reverse(reversed);
        assertEquals(IDS, ids("sort=id&order=asc"));
        assertEquals(IDS, ids("sort=created_at"));
        assertEquals(reversed, ids("order=desc"));
        assertEquals(reversed, ids("sort=created_at&order=desc"));

        final JsonNode page = server.get(WORKFLOWS + "?name_prefix=pay&order=desc&limit=2").json();
        assertEquals(4, page.get("total").asInt());
        assertEquals(2, page.get("next_offset").asInt());
        assertEquals(List.of(IDS.get(4), IDS.get(2)), ids(page));
        final JsonNode next = server.get(WORKFLOWS + "?name_prefix=pay&order=desc&limit=2&offset=2").json();
        assertEquals(List.of(IDS.get(1), IDS.get(0)), ids(next));
        assertTrue(next.get("next_offset").isNull(), next.toString());
        final JsonNode countOnly = server.get(WORKFLOWS + "?step=REVIEW&limit=0").json();
        assertEquals(2, countOnly.get("total").asInt());
        assertEquals(0, countOnly.get("workflows").size());
    }

    @Test
    void everyMalformedQueryIsA400WithItsCodeAndChangesNothing()
    {
        final String before = server.get(WORKFLOWS + "?limit=1000").body();
        refused("colour=blue", "UNKNOWN_PARAMETER", "unknown query parameter 'colour'; allowed parameters: state, " +
            "name, name_prefix, step, created_after, created_before, sort, order, limit, offset");
        refused("Name=pay-1", "UNKNOWN_PARAMETER", "unknown query parameter 'Name'");
        refused("created_after=yesterday", "INVALID_QUERY", "created_after must be an ISO-8601 instant");
        refused("created_before=2026-11-30T10:00:00", "INVALID_QUERY", "created_before must be an ISO-8601 instant");
        refused("created_after=1764496800000", "INVALID_QUERY", "created_after must be an ISO-8601 instant");
        refused("created_after=2026-11-30T10:00:00Z&created_before=2026-11-30T10:00:00Z", "INVALID_QUERY",
            "created_after (2026-11-30T10:00:00Z) must be before created_before (2026-11-30T10:00:00Z)");
        refused("sort=name", "INVALID_QUERY", "sort must be id or created_at, got 'name'");
        refused("sort=-created_at", "INVALID_QUERY", "sort must be id or created_at");
        refused("order=up", "INVALID_QUERY", "order must be asc or desc, got 'up'");
        refused("limit=1001", "INVALID_QUERY", "query parameter limit must be an integer between 0 and 1000");
        refused("limit=-1", "INVALID_QUERY", "query parameter limit must be an integer between 0 and 1000");
        refused("offset=x", "INVALID_QUERY", "query parameter offset must be an integer between 0 and 2147483647");
        refused("state=SLEEPING", "INVALID_QUERY", "query parameter state must be one of");
        refused("name=pay-1&name_prefix=pay", "INVALID_QUERY", "give name (an exact name) or name_prefix");
        refused("name=", "INVALID_QUERY", "name must not be empty");
        refused("name_prefix=", "INVALID_QUERY", "name_prefix must not be empty");
        refused("step=", "INVALID_QUERY", "step must not be empty");
        refused("step=A&step=B", "INVALID_QUERY", "query parameter step is given 2 times; give it once");
        assertEquals(before, server.get(WORKFLOWS + "?limit=1000").body(), "nothing changed");
    }

    @Test
    void theOpenApiDocumentNamesEveryParameter() throws IOException
    {
        try (InputStream in = WorkflowSearchParams.class.getResourceAsStream("/io/axiom/gateway/openapi/openapi.yaml"))
        {
            final JsonNode doc = new ObjectMapper().valueToTree(new Yaml().load(in));
            final List<String> names = new ArrayList<>();
            doc.at("/paths/~1api~1v1~1workflows/get/parameters").forEach(p -> names.add(p.get("name").asText()));
            assertEquals(new java.util.TreeSet<>(WorkflowSearchParams.PARAMETERS), new java.util.TreeSet<>(names));
        }
    }

    private static void refused(final String query, final String code, final String detail)
    {
        final Response r = server.get(WORKFLOWS + "?" + query);
        assertEquals(400, r.status(), query + ": " + r);
        assertTrue(r.contentType().startsWith("application/problem+json"), r::toString);
        assertEquals(code, r.json().get("code").asText(), r::toString);
        assertTrue(r.json().get("detail").asText().startsWith(detail), query + ": " + r.json().get("detail"));
    }

    private static List<String> ids(final String query)
    {
        final Response r = server.get(WORKFLOWS + "?limit=1000&" + query);
        assertEquals(200, r.status(), query + ": " + r);
        final JsonNode page = r.json();
        assertEquals(page.get("workflows").size() + page.get("offset").asInt(), page.get("total").asInt(),
            query + ": " + page);
        return ids(page);
    }

    private static List<String> ids(final JsonNode page)
    {
        final List<String> ids = new ArrayList<>();
        page.get("workflows").forEach(w -> ids.add(w.get("id").asText()));
        return ids;
    }

    private static void create(final String name, final String steps)
    {
        final Response r = server.postJson(WORKFLOWS, "{\"name\":\"" + name + "\",\"steps\":" + steps + "}");
        assertEquals(201, r.status(), r::toString);
        IDS.add(r.json().get("id").asText());
        CREATED.add(Instant.parse(r.json().get("created_at").asText()).toEpochMilli());
    }

    private static String iso(final long millis)
    {
        return Instant.ofEpochMilli(millis).toString();
    }

    private static String encode(final String text)
    {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
