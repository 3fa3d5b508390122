package io.axiom.gateway.graphql;

import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One GraphQL operation as a client sends it: the body of {@code POST /graphql}, or the payload of a WebSocket
 * {@code subscribe} message.
 *
 * @param query         the document.
 * @param operationName which operation of the document to run, or null.
 * @param variables     variable values, never null.
 */
public record GraphQlRequest(String query, String operationName, Map<String, Object> variables)
{
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>()
    {
    };

    /**
     * @param node {@code {"query": "...", "operationName": "...", "variables": {...}, "extensions": {...}}}.
     * @return the request.
     * @throws GraphQlProblem BAD_REQUEST naming the member that is missing or of the wrong type.
     */
    public static GraphQlRequest of(final JsonNode node)
    {
        if (null == node || !node.isObject())
        {
            throw new GraphQlProblem(GraphQlProblem.BAD_REQUEST,
                "expected a JSON object with query, and optionally operationName and variables");
        }
        final JsonNode query = node.get("query");
        if (null == query || !query.isTextual() || query.textValue().isBlank())
        {
            throw new GraphQlProblem(GraphQlProblem.BAD_REQUEST, "query is required: a string holding a GraphQL " +
                "document");
        }
        final JsonNode operationName = node.get("operationName");
        if (null != operationName && !operationName.isNull() && !operationName.isTextual())
        {
            throw new GraphQlProblem(GraphQlProblem.BAD_REQUEST, "operationName must be a string or null");
        }
        final JsonNode variables = node.get("variables");
        if (null != variables && !variables.isNull() && !variables.isObject())
        {
            throw new GraphQlProblem(GraphQlProblem.BAD_REQUEST, "variables must be a JSON object or null");
        }
        final Map<String, Object> values = null == variables || variables.isNull() ? Map.of() :
            JsonScalar.MAPPER.convertValue(variables, MAP);
        return new GraphQlRequest(query.textValue(),
            null == operationName || operationName.isNull() ? null : operationName.textValue(), values);
    }
}
