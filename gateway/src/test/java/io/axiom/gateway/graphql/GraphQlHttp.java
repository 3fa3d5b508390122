package io.axiom.gateway.graphql;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Sends GraphQL documents to a {@link TestServer} by {@code POST /graphql} and reads the answers.
 */
final class GraphQlHttp
{
    static final ObjectMapper MAPPER = new ObjectMapper();

    private final TestServer server;

    GraphQlHttp(final TestServer server)
    {
        this.server = server;
    }

    /**
     * @param query     the document.
     * @param variables variable values, or null.
     * @param headers   extra headers as name, value pairs.
     * @return the whole response.
     */
    TestServer.Response post(final String query, final Map<String, Object> variables, final String... headers)
    {
        final ObjectNode body = MAPPER.createObjectNode();
        body.put("query", query);
        if (null != variables)
        {
            body.set("variables", MAPPER.valueToTree(variables));
        }
        return server.postJson("/graphql", body.toString(), headers);
    }

    /**
     * @param query the document.
     * @return the response document of a 200 answer.
     */
    JsonNode execute(final String query)
    {
        return execute(query, null);
    }

    /**
     * @param query     the document.
     * @param variables variable values, or null.
     * @return the response document of a 200 answer.
     */
    JsonNode execute(final String query, final Map<String, Object> variables)
    {
        final TestServer.Response response = post(query, variables);
        assertEquals(200, response.status(), response::toString);
        assertTrue(response.contentType().startsWith("application/json"), response::toString);
        return response.json();
    }

    /**
     * @param query the document.
     * @return its data, after checking there were no errors.
     */
    JsonNode data(final String query)
    {
        return data(query, null);
    }

    /**
     * @param query     the document.
     * @param variables variable values, or null.
     * @return its data, after checking there were no errors.
     */
    JsonNode data(final String query, final Map<String, Object> variables)
    {
        final JsonNode result = execute(query, variables);
        if (result.has("errors"))
        {
            fail("unexpected errors: " + result);
        }
        assertNotNull(result.get("data"), result::toString);
        return result.get("data");
    }

    /**
     * @param result a response document.
     * @return the code of its only error.
     */
    static String onlyErrorCode(final JsonNode result)
    {
        final JsonNode errors = result.get("errors");
        assertNotNull(errors, "expected an error: " + result);
        assertEquals(1, errors.size(), result::toString);
        final JsonNode error = errors.get(0);
        assertTrue(error.get("message").asText().length() > 10, "the message explains: " + result);
        return error.get("extensions").get("code").asText();
    }
}
