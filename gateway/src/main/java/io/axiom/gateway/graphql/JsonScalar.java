package io.axiom.gateway.graphql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.ArrayValue;
import graphql.language.BooleanValue;
import graphql.language.EnumValue;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.NullValue;
import graphql.language.ObjectField;
import graphql.language.ObjectValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.language.VariableReference;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.GraphQLScalarType;

import io.axiom.core.api.RawJson;
import io.axiom.gateway.http.JsonCheck;
import io.axiom.gateway.http.RequestParser;

/**
 * The {@code JSON} scalar. Values are Jackson trees inside the gateway. An argument may be any literal (object,
 * list, number, boolean) or a string that holds a JSON document, as in the README's
 * {@code input: "{\"order_id\": \"ORD-123\"}"}; a string nested inside an object or list literal is a JSON string.
 * A result is written as the JSON value itself.
 */
public final class JsonScalar
{
    /** Reads client JSON as strictly as the REST API does: the REST parser's own mapper. */
    public static final ObjectMapper MAPPER = RequestParser.MAPPER;

    /** The scalar type. */
    public static final GraphQLScalarType JSON = GraphQLScalarType.newScalar()
        .name("JSON")
        .description("Any JSON value; as an argument also a string holding a JSON document.")
        .coercing(new JsonCoercing())
        .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonScalar()
    {
    }

    /**
     * @param text a JSON document.
     * @return its tree.
     * @throws IllegalArgumentException naming line, column and problem when the text is not one JSON document.
     */
    public static JsonNode parse(final String text)
    {
        final int surrogate = JsonCheck.unpairedSurrogate(text);
        if (surrogate >= 0)
        {
            throw new IllegalArgumentException("the string holds an unpaired surrogate at index " + surrogate +
                "; JSON text must be Unicode characters");
        }
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try
        {
            JsonCheck.check(bytes);
        }
        catch (final JsonCheck.Refusal refusal)
        {
            throw new IllegalArgumentException("the string is not a valid JSON document: " + refusal.getMessage());
        }
        try
        {
            return MAPPER.readTree(bytes);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("the string is not a valid JSON document: " +
                RequestParser.jacksonRefusal(ex));
        }
    }

    /**
     * @param json JSON text from the engine (input, output), or null.
     * @return its tree, or null for none.
     */
    public static JsonNode ofEngine(final String json)
    {
        if (null == json || json.isEmpty())
        {
            return null;
        }
        try
        {
            final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            JsonCheck.check(bytes);
            return MAPPER.readTree(bytes);
        }
        catch (final IOException | JsonCheck.Refusal ex)
        {
            // The engine stores what the gateway validated; text it cannot parse (or that an older version let in
            // beyond today's bounds) is still shown, as a string.
            return NODES.textNode(json);
        }
    }

    /**
     * @param value a tree, a {@link RawJson}, null, or a plain Java value (String, Number, Boolean, List, Map).
     * @return the tree.
     */
    public static JsonNode toTree(final Object value)
    {
        return switch (value)
        {
            case null -> NODES.nullNode();
            case JsonNode node -> node;
            case RawJson raw -> null == ofEngine(raw.json()) ? NODES.nullNode() : ofEngine(raw.json());
            default -> MAPPER.valueToTree(value);
        };
    }

    private static JsonNode literal(final Value<?> value, final CoercedVariables variables)
    {
        return switch (value)
        {
            case NullValue ignored -> NODES.nullNode();
            case StringValue s -> NODES.textNode(s.getValue());
            case BooleanValue b -> NODES.booleanNode(b.isValue());
            case IntValue i ->
            {
                if (!JsonCheck.withinBounds(i.getValue()))
                {
                    throw new CoercingParseLiteralException(outOfRange(i.getValue().toString()));
                }
                yield NODES.numberNode(i.getValue());
            }
            case FloatValue f ->
            {
                if (!JsonCheck.withinBounds(f.getValue()))
                {
                    throw new CoercingParseLiteralException(outOfRange(f.getValue().toString()));
                }
                yield NODES.numberNode(f.getValue());
            }
            case EnumValue e -> NODES.textNode(e.getName());
            case ArrayValue a ->
            {
                final ArrayNode array = NODES.arrayNode();
                for (final Value<?> item : a.getValues())
                {
                    array.add(literal(item, variables));
                }
                yield array;
            }
            case ObjectValue o ->
            {
                final ObjectNode object = NODES.objectNode();
                for (final ObjectField field : o.getObjectFields())
                {
                    if (object.has(field.getName()))
                    {
                        throw new CoercingParseLiteralException("JSON object literal repeats the key '" +
                            JsonCheck.excerpt(field.getName()) + "'");
                    }
                    object.set(field.getName(), literal(field.getValue(), variables));
                }
                yield object;
            }
            case VariableReference v -> toTree(variables.get(v.getName()));
            default -> throw new CoercingParseLiteralException("this literal cannot be read as JSON");
        };
    }

    private static String outOfRange(final String number)
    {
        return "the number " + JsonCheck.excerpt(number) + " is out of range: numbers may have at most " +
            JsonCheck.MAX_DIGITS + " digits and an exponent between -" + JsonCheck.MAX_EXPONENT + " and " +
            JsonCheck.MAX_EXPONENT;
    }

    private static Value<?> toLiteral(final JsonNode node)
    {
        if (null == node || node.isNull() || node.isMissingNode())
        {
            return NullValue.of();
        }
        if (node.isObject())
        {
            final List<ObjectField> fields = new ArrayList<>();
            for (final Map.Entry<String, JsonNode> e : node.properties())
            {
                fields.add(new ObjectField(e.getKey(), toLiteral(e.getValue())));
            }
            return ObjectValue.newObjectValue().objectFields(fields).build();
        }
        if (node.isArray())
        {
            final List<Value> values = new ArrayList<>();
            node.forEach(item -> values.add(toLiteral(item)));
            return ArrayValue.newArrayValue().values(values).build();
        }
        if (node.isBoolean())
        {
            return BooleanValue.of(node.booleanValue());
        }
        if (node.isIntegralNumber())
        {
            return IntValue.newIntValue(node.bigIntegerValue()).build();
        }
        if (node.isNumber())
        {
            return FloatValue.newFloatValue(node.decimalValue()).build();
        }
        return StringValue.of(node.asText());
    }

    private static final class JsonCoercing implements Coercing<JsonNode, JsonNode>
    {
        @Override
        public JsonNode serialize(final Object result, final GraphQLContext context, final Locale locale)
        {
            try
            {
                return toTree(result);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CoercingSerializeException("a result could not be written as JSON");
            }
        }

        @Override
        public JsonNode parseValue(final Object input, final GraphQLContext context, final Locale locale)
        {
            if (input instanceof String text)
            {
                try
                {
                    return parse(text);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new CoercingParseValueException("JSON variable: " + ex.getMessage());
                }
            }
            try
            {
                return toTree(input);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CoercingParseValueException("JSON variable: the value cannot be read as JSON");
            }
        }

        @Override
        public JsonNode parseLiteral(
            final Value<?> input, final CoercedVariables variables, final GraphQLContext context, final Locale locale)
        {
            if (input instanceof StringValue s)
            {
                try
                {
                    return parse(s.getValue());
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new CoercingParseLiteralException("JSON argument: " + ex.getMessage() +
                        " (give an object literal, or a string holding a JSON document)");
                }
            }
            return literal(input, variables);
        }

        @Override
        public Value<?> valueToLiteral(final Object input, final GraphQLContext context, final Locale locale)
        {
            return toLiteral(toTree(input));
        }
    }
}
