package io.axiom.gateway.graphql;

import io.axiom.gateway.http.JsonCheck;

/**
 * Looks at the number literals of a GraphQL document before graphql-java parses it. graphql-java turns an integer
 * literal into a {@code BigInteger}, and Java parses a million digits in about ten seconds of CPU: a document of
 * {@code gateway.max-body-bytes} could hold one. So number literals obey the bounds of JSON numbers
 * ({@link JsonCheck#MAX_DIGITS} digits, an exponent within {@link JsonCheck#MAX_EXPONENT}). Strings, block strings
 * and comments are skipped; digits inside a name ({@code field1}) are not numbers.
 */
final class QueryText
{
    /**
     * A number literal out of bounds.
     *
     * @param line   1-based line.
     * @param column 1-based column.
     * @param reason what is wrong.
     */
    record Refusal(int line, int column, String reason)
    {
    }

    private QueryText()
    {
    }

    /**
     * @param query a GraphQL document.
     * @return the first number literal out of bounds, or null.
     */
    static Refusal check(final String query)
    {
        final int n = query.length();
        int i = 0;
        while (i < n)
        {
            final char c = query.charAt(i);
            if ('#' == c)
            {
                while (i < n && '\n' != query.charAt(i) && '\r' != query.charAt(i))
                {
                    i++;
                }
            }
            else if ('"' == c)
            {
                i = skipString(query, i);
            }
            else if (isNameChar(c))
            {
                if (c >= '0' && c <= '9')
                {
                    final Refusal refusal = number(query, i);
                    if (null != refusal)
                    {
                        return refusal;
                    }
                }
                while (i < n && isNameChar(query.charAt(i)))
                {
                    i++;
                }
                continue;
            }
            else if ('-' == c && i + 1 < n && Character.isDigit(query.charAt(i + 1)))
            {
                final Refusal refusal = number(query, i + 1);
                if (null != refusal)
                {
                    return refusal;
                }
                i++;
                continue;
            }
            i++;
        }
        return null;
    }

    private static Refusal number(final String query, final int start)
    {
        final int n = query.length();
        int i = start;
        int digits = 0;
        while (i < n && Character.isDigit(query.charAt(i)))
        {
            i++;
            digits++;
        }
        if (i < n && '.' == query.charAt(i))
        {
            i++;
            while (i < n && Character.isDigit(query.charAt(i)))
            {
                i++;
                digits++;
            }
        }
        if (i < n && ('e' == query.charAt(i) || 'E' == query.charAt(i)))
        {
            i++;
            if (i < n && ('+' == query.charAt(i) || '-' == query.charAt(i)))
            {
                i++;
            }
            long exponent = 0;
            while (i < n && Character.isDigit(query.charAt(i)))
            {
                exponent = Math.min(exponent * 10 + (query.charAt(i) - '0'), Integer.MAX_VALUE);
                i++;
            }
            if (exponent > JsonCheck.MAX_EXPONENT)
            {
                return refusal(query, start, "the number " + JsonCheck.excerpt(query.substring(start, i)) +
                    " has an exponent beyond " + JsonCheck.MAX_EXPONENT + bounds());
            }
        }
        if (digits > JsonCheck.MAX_DIGITS)
        {
            return refusal(query, start, "the number " + JsonCheck.excerpt(query.substring(start, i)) + " has " +
                digits + " digits" + bounds());
        }
        return null;
    }

    private static String bounds()
    {
        return "; numbers may have at most " + JsonCheck.MAX_DIGITS + " digits and an exponent between -" +
            JsonCheck.MAX_EXPONENT + " and " + JsonCheck.MAX_EXPONENT;
    }

    private static int skipString(final String query, final int start)
    {
        final int n = query.length();
        if (query.startsWith("\"\"\"", start))
        {
            int i = start + 3;
            while (i < n)
            {
                if (query.startsWith("\\\"\"\"", i))
                {
                    i += 4;
                }
                else if (query.startsWith("\"\"\"", i))
                {
                    return i + 3;
                }
                else
                {
                    i++;
                }
            }
            return n;
        }
        int i = start + 1;
        while (i < n)
        {
            final char c = query.charAt(i);
            if ('\\' == c)
            {
                i += 2;
            }
            else if ('"' == c || '\n' == c || '\r' == c)
            {
                return i + 1;
            }
            else
            {
                i++;
            }
        }
        return n;
    }

    private static boolean isNameChar(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || '_' == c;
    }

    private static Refusal refusal(final String query, final int at, final String reason)
    {
        int line = 1;
        int column = 1;
        for (int i = 0; i < at; i++)
        {
            final char c = query.charAt(i);
            if ('\n' == c)
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return new Refusal(line, column, reason);
    }
}
