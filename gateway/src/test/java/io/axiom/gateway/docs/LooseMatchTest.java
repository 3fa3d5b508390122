package io.axiom.gateway.docs;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules the README's examples are checked by: they must catch a wrong value, not only accept a right one.
 */
class LooseMatchTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void ellipsisInALineStandsForAnyText()
    {
        assertTrue(LooseMatch.lineMatches("{\"id\":\"1\",...,\"reason\":null}",
            "{\"id\":\"1\",\"name\":\"x\",\"reason\":null}"));
        assertTrue(LooseMatch.lineMatches("a...b", "ab"));
        assertFalse(LooseMatch.lineMatches("{\"id\":\"1\",...}", "{\"id\":\"2\",\"name\":\"x\"}"));
        assertFalse(LooseMatch.lineMatches("state RUNNING", "state RUNNING!"));
        assertTrue(LooseMatch.lineMatches("[.*+?]", "[.*+?]"), "regex characters are literal");
    }

    @Test
    void headersNotShownAreSkippedButBodiesAndStatusLinesAreNot()
    {
        final String actual = "HTTP/1.1 201 Created\r\nDate: today\r\nContent-Type: application/json\r\n" +
            "Location: /api/v1/workflows/1\r\n\r\n{\"id\":\"1\"}\n{\"id\":\"2\"}";

        assertTrue(LooseMatch.matches("HTTP/1.1 201 Created\nLocation: /api/v1/workflows/1\n\n{\"id\":\"1\"}\n" +
            "{\"id\":\"2\"}\n", actual));
        assertFalse(LooseMatch.matches("HTTP/1.1 200 OK\n{\"id\":\"1\"}\n{\"id\":\"2\"}", actual));
        assertFalse(LooseMatch.matches("HTTP/1.1 201 Created\n{\"id\":\"1\"}", actual), "a body line is missing");
        assertFalse(LooseMatch.matches("HTTP/1.1 201 Created\nLocation: /x\n{\"id\":\"1\"}\n{\"id\":\"2\"}", actual));
    }

    @Test
    void anEllipsisLineStandsForAnyNumberOfLines()
    {
        final String table = "ID  NAME\n1   a\n2   b\n3   c\nworkflows 1-3 of 3";

        assertTrue(LooseMatch.matches("ID  NAME\n...\nworkflows 1-3 of 3", table));
        assertTrue(LooseMatch.matches("ID  NAME\n1   a\n...\n3   c\n...", table));
        assertFalse(LooseMatch.matches("ID  NAME\n...\nworkflows 1-2 of 2", table));
        assertFalse(LooseMatch.matches("ID  NAME\n1   a", table));
    }

    @Test
    void subsetComparesTheMembersShown() throws Exception
    {
        final String message = "{\"id\":\"1\",\"type\":\"next\",\"payload\":{\"data\":{\"e\":{\"type\":\"A\"," +
            "\"sequence\":3}}}}";

        for (final String shown : List.of("{\"type\":\"next\"}", "{\"payload\":{\"data\":{\"e\":{\"sequence\":3}}}}",
            "{\"id\":\"1\",\"payload\":{\"data\":{\"e\":{\"type\":\"A\",\"sequence\":3.0}}}}"))
        {
            assertTrue(LooseMatch.subset(MAPPER.readTree(shown), MAPPER.readTree(message)), shown);
        }
        for (final String shown : List.of("{\"type\":\"complete\"}", "{\"payload\":{\"data\":{\"e\":{\"x\":1}}}}",
            "{\"id\":1}"))
        {
            assertFalse(LooseMatch.subset(MAPPER.readTree(shown), MAPPER.readTree(message)), shown);
        }
        assertFalse(LooseMatch.subset(MAPPER.readTree("[1]"), MAPPER.readTree("[1,2]")), "arrays keep their length");
    }

    @Test
    void examplesAreFoundWithTheirMarkersAndOutputs()
    {
        final String markdown = String.join("\n",
            "Text", "", "```sh", "curl -s localhost:4000/ready", "```", "```json", "{\"status\":\"READY\"}", "```",
            "", "<!-- docs-test: skip=\"starts a server\" -->", "```sh", "bin/axiom server", "```", "",
            "<!-- docs-test: needs=graphql -->", "", "```graphql", "{ health { status } }", "```", "",
            "Not adjacent:", "```", "{}", "```",
            "<!-- docs-test: needs=cli exit=0,1 -->", "```sh", "bin/axiom workflow list \\", "  --limit 1",
            "# a comment", "bin/axiom workflow inspect 99", "```", "");

        final List<ReadmeExamples.Example> examples = ReadmeExamples.examples(markdown);

        assertEquals(4, examples.size());
        assertEquals("{\"status\":\"READY\"}\n", examples.get(0).expected());
        assertEquals("starts a server", examples.get(1).skip());
        assertEquals(ReadmeExamples.Kind.GRAPHQL, examples.get(2).kind());
        assertEquals("graphql", examples.get(2).needs());
        assertEquals(null, examples.get(2).expected());
        final List<String> commands = ReadmeExamples.commands(examples.get(3).text());
        assertEquals(List.of("bin/axiom workflow list \\\n  --limit 1", "bin/axiom workflow inspect 99"), commands);
        assertEquals(1, examples.get(3).exits(2)[1]);
    }
}
