package io.axiom.gateway.graphql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import graphql.ErrorType;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.InvalidSyntaxError;
import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.DataFetcherExceptionHandlerResult;
import graphql.execution.SubscriptionExecutionStrategy;
import graphql.introspection.GoodFaithIntrospection;
import graphql.language.SourceLocation;
import graphql.schema.DataFetcher;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeDefinitionRegistry;
import graphql.validation.ValidationError;
import graphql.validation.ValidationErrorType;

import io.axiom.gateway.http.JsonCheck;

/**
 * The executable schema: the SDL in {@code axiom.graphqls} (the one definition of the API) wired to
 * {@link Operations}, with the query limits and an error handler that gives every error an {@code extensions.code}.
 * Thread-safe; one per server.
 */
public final class AxiomGraphQl
{
    /** The SDL, beside this class on the classpath. */
    public static final String SCHEMA_RESOURCE = "axiom.graphqls";
    /** Code of a document that does not parse. */
    public static final String PARSE_FAILED = "GRAPHQL_PARSE_FAILED";
    /** Code of a document that does not fit the schema. */
    public static final String VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED";

    private static final System.Logger LOG = System.getLogger(AxiomGraphQl.class.getName());

    private final GraphQL graphQl;

    /**
     * @param operations    the root fields' fetchers.
     * @param maxDepth      deepest query accepted.
     * @param maxComplexity largest query complexity accepted.
     */
    AxiomGraphQl(final Operations operations, final int maxDepth, final int maxComplexity)
    {
        final RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
            .scalar(JsonScalar.JSON)
            .scalar(LongScalar.LONG)
            .type("Query", b -> wire(b, operations.queries()))
            .type("Mutation", b -> wire(b, operations.mutations()))
            .type("Subscription", b -> wire(b, operations.subscriptions()))
            .type("Workflow", b -> b
                .dataFetcher("events", operations.workflowEventsField())
                .dataFetcher("eventPage", operations.workflowEventPageField()))
            .build();
        final GraphQLSchema schema = new SchemaGenerator().makeExecutableSchema(registry(), wiring);
        final DataFetcherExceptionHandler errors = AxiomGraphQl::onFetcherException;
        this.graphQl = GraphQL.newGraphQL(schema)
            .defaultDataFetcherExceptionHandler(errors)
            .subscriptionExecutionStrategy(new SubscriptionExecutionStrategy(errors))
            .instrumentation(QueryLimits.of(maxDepth, maxComplexity))
            .build();
    }

    private static graphql.schema.idl.TypeRuntimeWiring.Builder wire(
        final graphql.schema.idl.TypeRuntimeWiring.Builder builder, final Map<String, DataFetcher<?>> fetchers)
    {
        fetchers.forEach(builder::dataFetcher);
        return builder;
    }

    /**
     * @return the SDL text.
     */
    public static String sdl()
    {
        try (InputStream in = AxiomGraphQl.class.getResourceAsStream(SCHEMA_RESOURCE))
        {
            if (null == in)
            {
                throw new IllegalStateException(SCHEMA_RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Parse, validate (limits included) and execute one operation on the caller's thread.
     *
     * @param request   the operation.
     * @param transport {@link Operations#HTTP} or {@link Operations#WEBSOCKET}.
     * @return the result; for a subscription over the WebSocket, its data is a {@code Publisher} of results.
     */
    ExecutionResult execute(final GraphQlRequest request, final String transport)
    {
        final QueryText.Refusal refusal = QueryText.check(request.query());
        if (null != refusal)
        {
            final Map<String, Object> extensions = new LinkedHashMap<>();
            extensions.put("code", PARSE_FAILED);
            extensions.put("reason", JsonCheck.NUMBER_OUT_OF_RANGE);
            return ExecutionResult.newExecutionResult()
                .addError(GraphqlErrorBuilder.newError()
                    .message("%s", "number out of range at line " + refusal.line() + ", column " + refusal.column() +
                        ": " + refusal.reason())
                    .location(new SourceLocation(refusal.line(), refusal.column()))
                    .errorType(ErrorType.InvalidSyntax)
                    .extensions(extensions)
                    .build())
                .build();
        }
        final ExecutionInput input = ExecutionInput.newExecutionInput()
            .query(request.query())
            .operationName(request.operationName())
            .variables(request.variables())
            .graphQLContext(Map.of(
                Operations.TRANSPORT, transport,
                SubscriptionExecutionStrategy.KEEP_SUBSCRIPTION_EVENTS_ORDERED, true))
            .build();
        return graphQl.execute(input);
    }

    /**
     * @param result an execution result (not a subscription's publisher).
     * @return the response document: data and errors, each error with {@code extensions.code}.
     */
    static Map<String, Object> toSpecification(final ExecutionResult result)
    {
        final Map<String, Object> spec = new LinkedHashMap<>(result.toSpecification());
        if (!result.getErrors().isEmpty())
        {
            spec.put("errors", errors(result.getErrors()));
        }
        return spec;
    }

    /**
     * @param errors GraphQL errors.
     * @return each one as a response document entry with {@code extensions.code}.
     */
    static List<Map<String, Object>> errors(final List<GraphQLError> errors)
    {
        final List<Map<String, Object>> rendered = new ArrayList<>(errors.size());
        for (final GraphQLError error : errors)
        {
            final Map<String, Object> spec = new LinkedHashMap<>(error.toSpecification());
            spec.put("message", GraphQlMessages.clean(String.valueOf(spec.get("message"))));
            final Map<String, Object> extensions = new LinkedHashMap<>();
            if (spec.get("extensions") instanceof Map<?, ?> existing)
            {
                existing.forEach((k, v) -> extensions.put(String.valueOf(k), v));
            }
            extensions.putIfAbsent("code", code(error));
            spec.put("extensions", extensions);
            rendered.add(spec);
        }
        return rendered;
    }

    /**
     * @param problem a refusal.
     * @return it as a response document entry.
     */
    static Map<String, Object> error(final GraphQlProblem problem)
    {
        final Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("message", problem.getMessage());
        spec.put("extensions", problem.extensions());
        return spec;
    }

    private static String code(final GraphQLError error)
    {
        if (error instanceof InvalidSyntaxError)
        {
            return PARSE_FAILED;
        }
        if (error instanceof GoodFaithIntrospection.BadFaithIntrospectionError)
        {
            // introspection that repeats __schema or __type, or nests too far: refused as too complex
            return QueryLimits.QUERY_TOO_COMPLEX;
        }
        if (error instanceof ValidationError validation)
        {
            final Object type = validation.getValidationErrorType();
            if (type == ValidationErrorType.MaxQueryDepthExceeded)
            {
                return QueryLimits.QUERY_TOO_DEEP;
            }
            if (type == ValidationErrorType.MaxQueryFieldsExceeded)
            {
                return QueryLimits.QUERY_TOO_COMPLEX;
            }
            if (type == ValidationErrorType.WrongType || type == ValidationErrorType.NullValueForNonNullArgument)
            {
                return GraphQlProblem.BAD_USER_INPUT;
            }
            return VALIDATION_FAILED;
        }
        if (error.getErrorType() == ErrorType.InvalidSyntax)
        {
            return PARSE_FAILED;
        }
        if (error.getErrorType() == ErrorType.ValidationError)
        {
            // variables that do not coerce to their declared types
            return GraphQlProblem.BAD_USER_INPUT;
        }
        if (error.getErrorType() == ErrorType.OperationNotSupported)
        {
            return VALIDATION_FAILED;
        }
        return GraphQlProblem.INTERNAL_SERVER_ERROR;
    }

    private static CompletableFuture<DataFetcherExceptionHandlerResult> onFetcherException(
        final graphql.execution.DataFetcherExceptionHandlerParameters parameters)
    {
        Throwable thrown = parameters.getException();
        while (thrown instanceof CompletionException && null != thrown.getCause())
        {
            thrown = thrown.getCause();
        }
        final GraphQlProblem problem;
        if (thrown instanceof GraphQlProblem p)
        {
            problem = p;
        }
        else
        {
            final String reference = GraphQlMessages.reference();
            LOG.log(System.Logger.Level.ERROR, "unexpected failure resolving " + parameters.getPath() + " (reference " +
                reference + ")", thrown);
            problem = new GraphQlProblem(GraphQlProblem.INTERNAL_SERVER_ERROR, GraphQlMessages.unexpected(reference));
        }
        final GraphQLError error = GraphqlErrorBuilder.newError()
            .message("%s", problem.getMessage())
            .path(parameters.getPath())
            .location(parameters.getSourceLocation())
            .errorType(ErrorType.DataFetchingException)
            .extensions(problem.extensions())
            .build();
        return CompletableFuture.completedFuture(DataFetcherExceptionHandlerResult.newResult(error).build());
    }

    private static TypeDefinitionRegistry registry()
    {
        return new SchemaParser().parse(sdl());
    }
}
