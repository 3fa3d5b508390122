package io.axiom.gateway.graphql;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.axiom.gateway.http.ApiProblem;

/**
 * Error messages as clients read them: graphql-java's own validation and coercion messages name Java and AST types
 * ({@code 'LinkedHashMap'}, {@code 'FloatValue{value=1E+5}'}) and echo whole values; here they are worded in the
 * types a GraphQL client knows, with echoed values cut short. An unexpected failure is never described by its
 * exception: the client gets a reference, the server's log has the rest.
 */
final class GraphQlMessages
{
    private static final int LONGEST_ECHO = 40;
    private static final Map<String, String> TYPES = Map.ofEntries(
        Map.entry("IntValue", "an integer"),
        Map.entry("FloatValue", "a float"),
        Map.entry("StringValue", "a string"),
        Map.entry("BooleanValue", "a boolean"),
        Map.entry("EnumValue", "an enum value"),
        Map.entry("ObjectValue", "an object"),
        Map.entry("ArrayValue", "a list"),
        Map.entry("NullValue", "null"),
        Map.entry("VariableReference", "a variable"),
        Map.entry("LinkedHashMap", "an object"),
        Map.entry("HashMap", "an object"),
        Map.entry("Map", "an object"),
        Map.entry("ArrayList", "a list"),
        Map.entry("List", "a list"),
        Map.entry("String", "a string"),
        Map.entry("Integer", "an integer"),
        Map.entry("Long", "an integer"),
        Map.entry("BigInteger", "an integer"),
        Map.entry("Double", "a number"),
        Map.entry("Float", "a number"),
        Map.entry("BigDecimal", "a number"),
        Map.entry("Boolean", "a boolean"));
    private static final Pattern AST_VALUE = Pattern.compile(" with value '[^']*?(?:Value|Reference)\\{.*?' is not ");
    private static final Pattern QUOTED_TYPE = Pattern.compile("(?:an? )?'([A-Za-z]+)'");
    private static final Pattern LONG_QUOTE = Pattern.compile("'([^'\\s]{" + (LONGEST_ECHO + 1) + ",})'");
    private static final Pattern CLASS_NAME = Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*");

    private GraphQlMessages()
    {
    }

    /**
     * @param message a message of graphql-java's.
     * @return it without Java or AST type names and with long echoed values cut.
     */
    static String clean(final String message)
    {
        String text = AST_VALUE.matcher(message).replaceAll(" is not ");
        final Matcher types = QUOTED_TYPE.matcher(text);
        final StringBuilder out = new StringBuilder(text.length());
        while (types.find())
        {
            final String word = TYPES.get(types.group(1));
            types.appendReplacement(out, Matcher.quoteReplacement(null == word ? types.group() : word));
        }
        types.appendTail(out);
        text = out.toString();
        final Matcher quotes = LONG_QUOTE.matcher(text);
        final StringBuilder cut = new StringBuilder(text.length());
        while (quotes.find())
        {
            quotes.appendReplacement(cut, Matcher.quoteReplacement(
                "'" + quotes.group(1).substring(0, LONGEST_ECHO) + "...'"));
        }
        quotes.appendTail(cut);
        return CLASS_NAME.matcher(cut.toString()).replaceAll("a value");
    }

    /**
     * @return a short reference that ties a client's error to the server's log line.
     */
    static String reference()
    {
        return ApiProblem.newReference();
    }

    /**
     * @param reference the log line's reference.
     * @return the message a client gets for an unexpected failure.
     */
    static String unexpected(final String reference)
    {
        return "an unexpected error occurred on the server (reference " + reference + " in its log)";
    }
}
