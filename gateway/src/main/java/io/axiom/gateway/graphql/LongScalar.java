package io.axiom.gateway.graphql;

import java.math.BigInteger;
import java.util.Locale;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.IntValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.GraphQLScalarType;

/**
 * The {@code Long} scalar: a 64-bit signed integer written as a JSON number, for journal positions, sequences and
 * counters, which outgrow GraphQL's 32-bit {@code Int}. Accepts an integer literal or a string of digits.
 */
public final class LongScalar
{
    /** The scalar type. */
    public static final GraphQLScalarType LONG = GraphQLScalarType.newScalar()
        .name("Long")
        .description("A 64-bit signed integer, written as a JSON number.")
        .coercing(new LongCoercing())
        .build();

    private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private LongScalar()
    {
    }

    private static Long fromText(final String text)
    {
        try
        {
            return Long.parseLong(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    private static final class LongCoercing implements Coercing<Long, Long>
    {
        @Override
        public Long serialize(final Object result, final GraphQLContext context, final Locale locale)
        {
            if (result instanceof Long || result instanceof Integer || result instanceof Short)
            {
                return ((Number)result).longValue();
            }
            throw new CoercingSerializeException("expected a 64-bit integer, got " + result);
        }

        @Override
        public Long parseValue(final Object input, final GraphQLContext context, final Locale locale)
        {
            final Long value = switch (input)
            {
                case Long l -> l;
                case Integer i -> i.longValue();
                case BigInteger b when b.compareTo(MIN) >= 0 && b.compareTo(MAX) <= 0 -> b.longValue();
                case String s -> fromText(s);
                default -> null;
            };
            if (null == value)
            {
                throw new CoercingParseValueException("expected a 64-bit integer, got " + input);
            }
            return value;
        }

        @Override
        public Long parseLiteral(
            final Value<?> input, final CoercedVariables variables, final GraphQLContext context, final Locale locale)
        {
            final Long value = switch (input)
            {
                case IntValue i when i.getValue().compareTo(MIN) >= 0 && i.getValue().compareTo(MAX) <= 0 ->
                    i.getValue().longValue();
                case StringValue s -> fromText(s.getValue());
                default -> null;
            };
            if (null == value)
            {
                throw new CoercingParseLiteralException("expected a 64-bit integer, got " + input);
            }
            return value;
        }

        @Override
        public Value<?> valueToLiteral(final Object input, final GraphQLContext context, final Locale locale)
        {
            return IntValue.newIntValue(BigInteger.valueOf(((Number)input).longValue())).build();
        }
    }
}
