package io.axiom.gateway.graphql;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
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

/**
 * The {@code JSON} scalar. Values are Jackson trees inside the gateway. An argument may be any literal (object,
 * list, number, boolean) or a string that holds a JSON document, as in the README's
 * {@code input: "{\"order_id\": \"ORD-123\"}"}; a string nested inside an object or list literal is a JSON string.
 * A result is written as the JSON value itself.
 */
public final class JsonScalar
{
    /** Reads client JSON as strictly as the REST API does: no duplicate keys, nothing after the document. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
        .build();

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
        try
        {
            final JsonNode node = MAPPER.readTree(text);
            if (null == node || node.isMissingNode())
            {
                throw new IllegalArgumentException("the string is empty; expected a JSON document");
            }
            return node;
        }
        catch (final JsonProcessingException ex)
        {
            final String where = null == ex.getLocation() ? "" :
                " at line " + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr();
            throw new IllegalArgumentException("the string is not valid JSON" + where + ": " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("the string could not be read as JSON: " + ex.getMessage());
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
            return MAPPER.readTree(json);
        }
        catch (final IOException ex)
        {
            // The engine stores what the gateway validated; text it cannot parse is still shown, as a string.
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
            case IntValue i -> NODES.numberNode(i.getValue());
            case FloatValue f -> NODES.numberNode(f.getValue());
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
                            field.getName() + "'");
                    }
                    object.set(field.getName(), literal(field.getValue(), variables));
                }
                yield object;
            }
            case VariableReference v -> toTree(variables.get(v.getName()));
            default -> throw new CoercingParseLiteralException("a " + value.getClass().getSimpleName() +
                " cannot be read as JSON");
        };
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
                throw new CoercingSerializeException("cannot write a " + result.getClass().getSimpleName() +
                    " as JSON: " + ex.getMessage());
            }
        }

        @Override
        public JsonNode parseValue(final Object input, final GraphQLContext context, final Locale locale)
        {
            try
            {
                return input instanceof String text ? parse(text) : toTree(input);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CoercingParseValueException("JSON variable: " + ex.getMessage());
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
