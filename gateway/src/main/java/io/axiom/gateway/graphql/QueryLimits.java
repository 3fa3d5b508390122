package io.axiom.gateway.graphql;

import java.util.Map;

import graphql.ExecutionResult;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.AbortExecutionException;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.language.Field;
import graphql.language.OperationDefinition;
import graphql.language.Selection;

/**
 * The depth and complexity limits ({@code graphql.max-depth}, {@code graphql.max-complexity}), enforced by
 * graphql-java's own instrumentations before anything executes. Complexity is one per field selected plus its
 * children's. Introspection ({@code __schema}, {@code __type} only) is exempt, because GraphiQL's introspection query
 * is deeper than any API query needs; graphql-java's good-faith introspection check bounds it instead.
 */
public final class QueryLimits
{
    /** {@code extensions.code} of a query over the depth limit. */
    public static final String QUERY_TOO_DEEP = "QUERY_TOO_DEEP";
    /** {@code extensions.code} of a query over the complexity limit. */
    public static final String QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX";

    private QueryLimits()
    {
    }

    /**
     * @param maxDepth      deepest query accepted.
     * @param maxComplexity largest complexity accepted.
     * @return both limits as one instrumentation.
     */
    public static Instrumentation of(final int maxDepth, final int maxComplexity)
    {
        return new ChainedInstrumentation(new DepthLimit(maxDepth), new ComplexityLimit(maxComplexity));
    }

    /**
     * @param parameters the operation about to run.
     * @return true when every root field is {@code __schema}, {@code __type} or {@code __typename}.
     */
    static boolean isIntrospection(final InstrumentationExecuteOperationParameters parameters)
    {
        final OperationDefinition operation = parameters.getExecutionContext().getOperationDefinition();
        if (null == operation || operation.getOperation() != OperationDefinition.Operation.QUERY)
        {
            return false;
        }
        for (final Selection<?> selection : operation.getSelectionSet().getSelections())
        {
            if (!(selection instanceof Field field) || !field.getName().startsWith("__"))
            {
                return false;
            }
        }
        return true;
    }

    private static final class DepthLimit extends MaxQueryDepthInstrumentation
    {
        private final int maxDepth;

        DepthLimit(final int maxDepth)
        {
            super(maxDepth);
            this.maxDepth = maxDepth;
        }

        @Override
        public InstrumentationContext<ExecutionResult> beginExecuteOperation(
            final InstrumentationExecuteOperationParameters parameters, final InstrumentationState state)
        {
            return isIntrospection(parameters) ? SimpleInstrumentationContext.noOp() :
                super.beginExecuteOperation(parameters, state);
        }

        @Override
        protected AbortExecutionException mkAbortException(final int depth, final int max)
        {
            return new LimitExceeded(QUERY_TOO_DEEP, "query depth " + depth + " exceeds the limit of " + maxDepth +
                " (graphql.max-depth); select fewer nested levels");
        }
    }

    private static final class ComplexityLimit extends MaxQueryComplexityInstrumentation
    {
        private final int maxComplexity;

        ComplexityLimit(final int maxComplexity)
        {
            super(maxComplexity);
            this.maxComplexity = maxComplexity;
        }

        @Override
        public InstrumentationContext<ExecutionResult> beginExecuteOperation(
            final InstrumentationExecuteOperationParameters parameters, final InstrumentationState state)
        {
            return isIntrospection(parameters) ? SimpleInstrumentationContext.noOp() :
                super.beginExecuteOperation(parameters, state);
        }

        @Override
        protected AbortExecutionException mkAbortException(final int complexity, final int max)
        {
            return new LimitExceeded(QUERY_TOO_COMPLEX, "query complexity " + complexity + " exceeds the limit of " +
                maxComplexity + " (graphql.max-complexity: one per field selected); select fewer fields");
        }
    }

    /**
     * A query refused for its shape before it ran.
     */
    static final class LimitExceeded extends AbortExecutionException
    {
        private final String code;

        LimitExceeded(final String code, final String message)
        {
            super(message);
            this.code = code;
        }

        @Override
        public Map<String, Object> getExtensions()
        {
            return Map.of("code", code);
        }
    }
}
