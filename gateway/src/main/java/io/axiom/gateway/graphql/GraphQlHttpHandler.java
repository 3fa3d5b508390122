package io.axiom.gateway.graphql;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import graphql.ExecutionResult;
import graphql.language.Document;
import graphql.language.NodeUtil;
import graphql.language.OperationDefinition;
import graphql.parser.Parser;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.axiom.gateway.http.ApiProblem;
import io.axiom.gateway.http.JsonCheck;
import io.axiom.gateway.http.RequestBody;
import io.axiom.gateway.http.RequestParser;

/**
 * GraphQL over HTTP, one query or mutation per request, in the forms common clients send:
 * <ul>
 *     <li>{@code POST /graphql} with {@code Content-Type: application/json} and {@code {"query", "operationName",
 *     "variables", "extensions"}};</li>
 *     <li>{@code POST /graphql} with {@code Content-Type: application/graphql}: the body is the document itself;</li>
 *     <li>{@code GET /graphql?query=...&variables=...&operationName=...} for queries only: a mutation over GET is
 *     405 with {@code Allow: POST}, as GraphQL over HTTP says (a GET must not change anything).</li>
 * </ul>
 * Bodies are bounded by {@code gateway.max-body-bytes}, a GET by the request line's limit (414), and every document
 * by the query limits. The answer is {@code application/json}, or {@code application/graphql-response+json} when the
 * {@code Accept} header prefers it; then a document that does not parse or validate is 400 rather than 200. A
 * document that executed (even with errors) is 200 with the errors in the body; a request that is not a GraphQL
 * request at all is 400, 405, 413 or 415 with a GraphQL-shaped error body. Subscriptions are refused here: they run
 * over the WebSocket on the same path.
 */
final class GraphQlHttpHandler
{
    /** The media type of a body that is the document itself. */
    static final String APPLICATION_GRAPHQL = "application/graphql";
    /** The media type of GraphQL over HTTP's responses. */
    static final String GRAPHQL_RESPONSE_JSON = "application/graphql-response+json";
    /** The parameters of a GET, as GraphQL over HTTP names them. */
    static final List<String> GET_PARAMETERS = List.of("query", "operationName", "variables", "extensions");

    private static final String APPLICATION_JSON = "application/json";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final AxiomGraphQl graphQl;
    private final int maxBodyBytes;
    private final long drainLimit;

    /**
     * @param graphQl      the executable schema.
     * @param maxBodyBytes largest body accepted.
     * @param drainLimit   most bytes of an oversized body read and discarded before answering 413.
     */
    GraphQlHttpHandler(final AxiomGraphQl graphQl, final int maxBodyBytes, final long drainLimit)
    {
        this.graphQl = graphQl;
        this.maxBodyBytes = maxBodyBytes;
        this.drainLimit = drainLimit;
    }

    /**
     * Serve {@code POST /graphql}: a JSON request or an {@code application/graphql} document.
     *
     * @param req the request.
     * @param res the response.
     */
    void post(final ServerRequest req, final ServerResponse res)
    {
        final String media = responseType(req);
        final GraphQlRequest request;
        try
        {
            request = readPost(req);
        }
        catch (final RequestRefused refused)
        {
            refuse(res, media, refused);
            return;
        }
        catch (final GraphQlProblem problem)
        {
            send(res, Status.BAD_REQUEST_400, media, Map.of("errors", List.of(AxiomGraphQl.error(problem))));
            return;
        }
        execute(res, media, request);
    }

    /**
     * Serve {@code GET /graphql?query=...}: a query, never a mutation.
     *
     * @param req the request.
     * @param res the response.
     */
    void get(final ServerRequest req, final ServerResponse res)
    {
        final String media = responseType(req);
        final GraphQlRequest request;
        try
        {
            if (req.headers().contains(HeaderNames.UPGRADE) && req.headers().get(HeaderNames.UPGRADE).get()
                .toLowerCase(Locale.ROOT).contains("websocket"))
            {
                // a WebSocket handshake the WebSocket endpoint did not take: never run it as a query
                throw new RequestRefused(Status.BAD_REQUEST_400, new GraphQlProblem(GraphQlProblem.BAD_REQUEST,
                    "the WebSocket handshake on /graphql was not accepted: connect with the subprotocol " +
                    "graphql-transport-ws, or send a query without an Upgrade header"));
            }
            request = readGet(req.query().rawValue());
            if (isMutation(request))
            {
                res.header(HeaderNames.ALLOW, "POST");
                throw new RequestRefused(Status.METHOD_NOT_ALLOWED_405, new GraphQlProblem("METHOD_NOT_ALLOWED",
                    "a mutation changes state and runs only by POST /graphql; GET /graphql runs queries"));
            }
        }
        catch (final RequestRefused refused)
        {
            refuse(res, media, refused);
            return;
        }
        catch (final GraphQlProblem problem)
        {
            send(res, Status.BAD_REQUEST_400, media, Map.of("errors", List.of(AxiomGraphQl.error(problem))));
            return;
        }
        execute(res, media, request);
    }

    /**
     * Answer anything but GET and POST on {@code /graphql} (a WebSocket upgrade never gets here).
     *
     * @param req the request.
     * @param res the response.
     */
    static void notAllowed(final ServerRequest req, final ServerResponse res)
    {
        res.header(HeaderNames.ALLOW, "GET, POST");
        send(res, Status.METHOD_NOT_ALLOWED_405, APPLICATION_JSON, Map.of("errors", List.of(AxiomGraphQl.error(
            new GraphQlProblem("METHOD_NOT_ALLOWED", "use POST /graphql (or GET /graphql?query=... for a query) for " +
            "queries and mutations, and a WebSocket (protocol graphql-transport-ws) on /graphql for subscriptions; " +
            "got " + req.prologue().method().text())))));
    }

    private void execute(final ServerResponse res, final String media, final GraphQlRequest request)
    {
        final ExecutionResult result = graphQl.execute(request, Operations.HTTP);
        // GraphQL over HTTP: with its own media type, a request that never executed (no data) is a client error
        final Status status = GRAPHQL_RESPONSE_JSON.equals(media) && !result.isDataPresent() ?
            Status.BAD_REQUEST_400 : Status.OK_200;
        send(res, status, media, AxiomGraphQl.toSpecification(result));
    }

    private static void refuse(final ServerResponse res, final String media, final RequestRefused refused)
    {
        if (refused.closeConnection)
        {
            res.header(HeaderValues.CONNECTION_CLOSE);
        }
        send(res, refused.status, media, Map.of("errors", List.of(AxiomGraphQl.error(refused.problem))));
    }

    private static void send(
        final ServerResponse res, final Status status, final String media, final Map<String, Object> body)
    {
        final byte[] bytes;
        try
        {
            bytes = JsonScalar.MAPPER.writeValueAsBytes(body);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot write a GraphQL response", ex);
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, media);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(bytes);
    }

    /**
     * @param req a request.
     * @return {@code application/graphql-response+json} when the {@code Accept} header ranks it at least as high as
     * JSON, else {@code application/json} (also without an {@code Accept} header, as GraphQL over HTTP says).
     */
    static String responseType(final ServerRequest req)
    {
        if (!req.headers().contains(HeaderNames.ACCEPT))
        {
            return APPLICATION_JSON;
        }
        final List<HttpMediaType> accepted;
        try
        {
            accepted = req.headers().acceptedTypes();
        }
        catch (final RuntimeException ex)
        {
            return APPLICATION_JSON;
        }
        double graphQlResponse = 0;
        double json = 0;
        for (final HttpMediaType type : accepted)
        {
            final String name = (type.type() + "/" + type.subtype()).toLowerCase(Locale.ROOT);
            if (GRAPHQL_RESPONSE_JSON.equals(name))
            {
                graphQlResponse = Math.max(graphQlResponse, type.qualityFactor());
            }
            else if (APPLICATION_JSON.equals(name) || "application/*".equals(name) || "*/*".equals(name))
            {
                json = Math.max(json, type.qualityFactor());
            }
        }
        return graphQlResponse > 0 && graphQlResponse >= json ? GRAPHQL_RESPONSE_JSON : APPLICATION_JSON;
    }

    private GraphQlRequest readPost(final ServerRequest req)
    {
        final boolean document = APPLICATION_GRAPHQL.equals(checkContentType(req));
        final byte[] body;
        try
        {
            body = req.content().hasEntity() ? RequestBody.read(req, maxBodyBytes, drainLimit) : new byte[0];
        }
        catch (final ApiProblem problem)
        {
            final GraphQlProblem refusal = 413 == problem.status() ?
                new GraphQlProblem(problem.code(), problem.detail()) :
                new GraphQlProblem(GraphQlProblem.BAD_REQUEST, problem.code(), problem.detail());
            throw new RequestRefused(Status.create(problem.status()), refusal, problem.closeConnection());
        }
        if (body.length == 0)
        {
            throw new RequestRefused(Status.BAD_REQUEST_400, new GraphQlProblem(GraphQlProblem.BAD_REQUEST,
                document ? "request body is empty; expected a GraphQL document, e.g. { health { status } }" :
                "request body is empty; expected {\"query\": \"...\"}"));
        }
        if (document)
        {
            final String query = utf8(body, "request body");
            if (query.isBlank())
            {
                throw new RequestRefused(Status.BAD_REQUEST_400, new GraphQlProblem(GraphQlProblem.BAD_REQUEST,
                    "request body holds only white space; expected a GraphQL document"));
            }
            return new GraphQlRequest(query, null, Map.of());
        }
        return GraphQlRequest.of(json(body));
    }

    /**
     * @param rawQuery the request's query string as sent (percent-encoded), or null.
     * @return the request its parameters describe.
     * @throws RequestRefused 400 for a parameter that is unknown, repeated, badly encoded or not UTF-8, and for
     *                        variables or extensions that are not JSON objects.
     */
    static GraphQlRequest readGet(final String rawQuery)
    {
        final String[] values = new String[GET_PARAMETERS.size()];
        if (null != rawQuery && !rawQuery.isEmpty())
        {
            for (final String pair : rawQuery.split("&", -1))
            {
                if (pair.isEmpty())
                {
                    continue;
                }
                final int equals = pair.indexOf('=');
                final String name = decode(equals < 0 ? pair : pair.substring(0, equals), "a parameter name");
                final int index = GET_PARAMETERS.indexOf(name);
                if (index < 0)
                {
                    throw badRequest("UNKNOWN_PARAMETER", "unknown query parameter '" + JsonCheck.excerpt(name) +
                        "'; GET /graphql takes " + String.join(", ", GET_PARAMETERS));
                }
                if (null != values[index])
                {
                    throw badRequest("REPEATED_PARAMETER", "query parameter " + name + " is given twice; give it once");
                }
                values[index] = equals < 0 ? "" : decode(pair.substring(equals + 1), name);
            }
        }
        final ObjectNode request = NODES.objectNode();
        if (null == values[0] || values[0].isBlank())
        {
            throw badRequest("MISSING_PARAMETER", "query is required: GET /graphql?query=<a GraphQL query, " +
                "URL-encoded>, optionally with operationName and variables (a JSON object, URL-encoded)");
        }
        request.put("query", values[0]);
        if (null != values[1] && !values[1].isEmpty())
        {
            request.put("operationName", values[1]);
        }
        if (null != values[2] && !values[2].isEmpty())
        {
            request.set("variables", jsonParameter(values[2], "variables"));
        }
        if (null != values[3] && !values[3].isEmpty())
        {
            jsonParameter(values[3], "extensions");
        }
        return GraphQlRequest.of(request);
    }

    /**
     * @param request a request that came by GET.
     * @return true when the operation it selects is a mutation; a document that does not parse or select one
     * operation is left to execution, which names the problem.
     */
    private static boolean isMutation(final GraphQlRequest request)
    {
        if (null != QueryText.check(request.query()))
        {
            return false;
        }
        try
        {
            final Document document = Parser.parse(request.query());
            final OperationDefinition operation =
                NodeUtil.getOperation(document, request.operationName()).operationDefinition;
            return null != operation && OperationDefinition.Operation.MUTATION == operation.getOperation();
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    private static JsonNode jsonParameter(final String value, final String name)
    {
        final JsonNode node;
        try
        {
            node = RequestParser.readTree(value.getBytes(StandardCharsets.UTF_8));
        }
        catch (final ApiProblem problem)
        {
            throw badRequest(problem.code(), name + " is not JSON: " + problem.detail());
        }
        if (!node.isObject() && !node.isNull())
        {
            throw badRequest("WRONG_TYPE", name + " must be a JSON object (URL-encoded), e.g. {\"id\":\"1\"}");
        }
        return node;
    }

    /**
     * @param encoded a name or value of a query string, percent-encoded, {@code +} for a space.
     * @param what    what it is, for a refusal.
     * @return it decoded.
     */
    private static String decode(final String encoded, final String what)
    {
        if (encoded.indexOf('%') < 0 && encoded.indexOf('+') < 0)
        {
            return encoded;
        }
        final byte[] bytes = new byte[encoded.length()];
        int length = 0;
        for (int i = 0; i < encoded.length(); i++)
        {
            final char c = encoded.charAt(i);
            if ('+' == c)
            {
                bytes[length++] = ' ';
            }
            else if ('%' == c)
            {
                final int high = i + 1 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
                final int low = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0)
                {
                    throw badRequest("MALFORMED_PARAMETER", what + " has a '%' at character " + i +
                        " that is not followed by two hexadecimal digits");
                }
                bytes[length++] = (byte)(high << 4 | low);
                i += 2;
            }
            else
            {
                bytes[length++] = (byte)c;
            }
        }
        final byte[] exact = new byte[length];
        System.arraycopy(bytes, 0, exact, 0, length);
        return utf8(exact, what);
    }

    private static String utf8(final byte[] bytes, final String what)
    {
        try
        {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw badRequest(JsonCheck.INVALID_UTF8, what + " is not valid UTF-8");
        }
    }

    private static RequestRefused badRequest(final String reason, final String message)
    {
        return new RequestRefused(Status.BAD_REQUEST_400,
            new GraphQlProblem(GraphQlProblem.BAD_REQUEST, reason, message));
    }

    private static JsonNode json(final byte[] body)
    {
        try
        {
            return RequestParser.readTree(body);
        }
        catch (final ApiProblem problem)
        {
            throw new RequestRefused(Status.BAD_REQUEST_400,
                new GraphQlProblem(GraphQlProblem.BAD_REQUEST, problem.code(), problem.detail()));
        }
    }

    /**
     * @return {@code application/json} (or GraphQL over HTTP's request type, the same) or
     * {@code application/graphql}.
     */
    private static String checkContentType(final ServerRequest req)
    {
        final String declared = req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
        final String type = null == declared ? null : mediaType(declared);
        if (APPLICATION_JSON.equals(type) || GRAPHQL_RESPONSE_JSON.equals(type))
        {
            return APPLICATION_JSON;
        }
        if (APPLICATION_GRAPHQL.equals(type))
        {
            return APPLICATION_GRAPHQL;
        }
        throw new RequestRefused(Status.UNSUPPORTED_MEDIA_TYPE_415, new GraphQlProblem("UNSUPPORTED_MEDIA_TYPE",
            "send the request as Content-Type: application/json ({\"query\": ...}) or application/graphql (the " +
            "document itself), got " + (null == declared ? "none" : "'" + JsonCheck.excerpt(declared) + "'")));
    }

    private static String mediaType(final String declared)
    {
        try
        {
            final HttpMediaType media = HttpMediaType.create(declared);
            return (media.type() + "/" + media.subtype()).toLowerCase(Locale.ROOT);
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    /**
     * A request refused before any GraphQL ran.
     */
    private static final class RequestRefused extends RuntimeException
    {
        private final Status status;
        private final GraphQlProblem problem;
        private final boolean closeConnection;

        RequestRefused(final Status status, final GraphQlProblem problem)
        {
            this(status, problem, false);
        }

        RequestRefused(final Status status, final GraphQlProblem problem, final boolean closeConnection)
        {
            super(problem.getMessage(), null, false, false);
            this.status = status;
            this.problem = problem;
            this.closeConnection = closeConnection;
        }
    }
}
