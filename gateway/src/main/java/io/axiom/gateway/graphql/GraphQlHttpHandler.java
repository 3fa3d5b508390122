package io.axiom.gateway.graphql;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import graphql.ExecutionResult;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.axiom.gateway.http.ApiProblem;
import io.axiom.gateway.http.RequestBody;
import io.axiom.gateway.http.RequestParser;

/**
 * {@code POST /graphql}: one query or mutation per request, body {@code {"query", "operationName", "variables"}},
 * answered {@code application/json}. A document that executed (even with errors) is 200 with the errors in the body;
 * a request that is not a GraphQL request at all is 400, 413 or 415 with a GraphQL-shaped error body. Subscriptions
 * are refused here: they run over the WebSocket on the same path.
 */
final class GraphQlHttpHandler implements Handler
{
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

    @Override
    public void handle(final ServerRequest req, final ServerResponse res)
    {
        final GraphQlRequest request;
        try
        {
            request = GraphQlRequest.of(readJson(req));
        }
        catch (final RequestRefused refused)
        {
            if (refused.closeConnection)
            {
                res.header(HeaderValues.CONNECTION_CLOSE);
            }
            send(res, refused.status, Map.of("errors", List.of(AxiomGraphQl.error(refused.problem))));
            return;
        }
        catch (final GraphQlProblem problem)
        {
            send(res, Status.BAD_REQUEST_400, Map.of("errors", List.of(AxiomGraphQl.error(problem))));
            return;
        }
        final ExecutionResult result = graphQl.execute(request, Operations.HTTP);
        send(res, Status.OK_200, AxiomGraphQl.toSpecification(result));
    }

    /**
     * Answer anything but POST on {@code /graphql} (a WebSocket upgrade never gets here).
     *
     * @param req the request.
     * @param res the response.
     */
    static void notAllowed(final ServerRequest req, final ServerResponse res)
    {
        res.header(HeaderNames.ALLOW, "POST");
        send(res, Status.METHOD_NOT_ALLOWED_405, Map.of("errors", List.of(AxiomGraphQl.error(new GraphQlProblem(
            "METHOD_NOT_ALLOWED", "use POST /graphql for queries and mutations, and a WebSocket (protocol " +
            "graphql-transport-ws) on /graphql for subscriptions; got " + req.prologue().method().text())))));
    }

    private static void send(final ServerResponse res, final Status status, final Map<String, Object> body)
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
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(bytes);
    }

    private JsonNode readJson(final ServerRequest req)
    {
        checkContentType(req);
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
                "request body is empty; expected {\"query\": \"...\"}"));
        }
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

    private static void checkContentType(final ServerRequest req)
    {
        final String declared = req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
        final String type = null == declared ? null : mediaType(declared);
        if (!"application/json".equals(type) && !"application/graphql-response+json".equals(type))
        {
            throw new RequestRefused(Status.UNSUPPORTED_MEDIA_TYPE_415, new GraphQlProblem("UNSUPPORTED_MEDIA_TYPE",
                "send the request as Content-Type: application/json, got " + (null == declared ? "none" :
                "'" + declared + "'")));
        }
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
