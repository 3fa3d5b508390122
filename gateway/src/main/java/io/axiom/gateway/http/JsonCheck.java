package io.axiom.gateway.http;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;

/**
 * One pass over the bytes of a JSON document, before any parser builds a tree from it: the document must be well
 * formed, valid UTF-8, free of unpaired surrogates, no deeper than {@link #MAX_DEPTH}, and every number must be of
 * bounded size. A problem is reported with its line and column and what was expected there, in Axiom's words.
 * <p>
 * Why a pass of its own: Jackson accepts overlong UTF-8, code points above U+10FFFF and surrogates (escaped or
 * encoded) and silently turns them into other text; it reads {@code 1e300000000} as a {@code BigDecimal} whose plain
 * form has 300 million digits, which a careless {@code toPlainString} or {@code toBigInteger} materialises; and its
 * error messages describe its own internals. This pass allocates nothing unless it refuses, and costs about as much as
 * copying the bytes.
 * <p>
 * Bounds: a number has at most {@link #MAX_DIGITS} digits before its exponent, and an exponent of at most
 * {@link #MAX_EXPONENT} in magnitude; nesting is at most {@link #MAX_DEPTH} deep.
 */
public final class JsonCheck
{
    /** Most digits in a number's integer and fraction parts together. */
    public static final int MAX_DIGITS = 100;
    /** Largest exponent magnitude a number may write. */
    public static final int MAX_EXPONENT = 1000;
    /** Deepest nesting of objects and arrays. */
    public static final int MAX_DEPTH = 256;
    /** Code of a document that is not well-formed JSON. */
    public static final String MALFORMED_JSON = "MALFORMED_JSON";
    /** Code of bytes that are not valid UTF-8. */
    public static final String INVALID_UTF8 = "INVALID_UTF8";
    /** Code of a {@code \\u} escape of a surrogate without its pair. */
    public static final String UNPAIRED_SURROGATE = "UNPAIRED_SURROGATE";
    /** Code of a number beyond the bounds. */
    public static final String NUMBER_OUT_OF_RANGE = "NUMBER_OUT_OF_RANGE";
    /** Code of nesting beyond the bound. */
    public static final String TOO_DEEP = "JSON_TOO_DEEP";

    private static final int LONGEST_ECHO = 24;
    private static final byte OBJECT = 1;
    private static final byte ARRAY = 2;

    /**
     * A document refused, with where and why.
     */
    public static final class Refusal extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        private final String code;
        private final int line;
        private final int column;
        private final String reason;

        Refusal(final String code, final int line, final int column, final String reason)
        {
            super(what(code) + " at line " + line + ", column " + column + ": " + reason, null, false, false);
            this.code = code;
            this.line = line;
            this.column = column;
            this.reason = reason;
        }

        /**
         * @return the problem code: {@link #MALFORMED_JSON}, {@link #INVALID_UTF8}, {@link #UNPAIRED_SURROGATE},
         * {@link #NUMBER_OUT_OF_RANGE} or {@link #TOO_DEEP}.
         */
        public String code()
        {
            return code;
        }

        /**
         * @return 1-based line of the problem.
         */
        public int line()
        {
            return line;
        }

        /**
         * @return 1-based column (in characters) of the problem.
         */
        public int column()
        {
            return column;
        }

        /**
         * @return what is wrong, without the position.
         */
        public String reason()
        {
            return reason;
        }

        private static String what(final String code)
        {
            return switch (code)
            {
                case INVALID_UTF8 -> "invalid UTF-8";
                case UNPAIRED_SURROGATE -> "invalid string";
                case NUMBER_OUT_OF_RANGE -> "number out of range";
                case TOO_DEEP -> "JSON nested too deeply";
                default -> "malformed JSON";
            };
        }
    }

    private final byte[] stack = new byte[MAX_DEPTH];
    private byte[] bytes;
    private int end;
    private int pos;

    /**
     * A checker to use again and again from one thread: {@link #verify(byte[], int)} allocates nothing on a good
     * document.
     */
    public JsonCheck()
    {
    }

    /**
     * @param json a whole document.
     * @throws Refusal at the first problem.
     */
    public static void check(final byte[] json)
    {
        new JsonCheck().verify(json, json.length);
    }

    /**
     * @param json   holding a whole document from index 0.
     * @param length of the document.
     * @throws Refusal at the first problem.
     */
    public void verify(final byte[] json, final int length)
    {
        bytes = json;
        pos = 0;
        end = length;
        try
        {
            document();
        }
        finally
        {
            bytes = null;
        }
    }

    /**
     * @param value a number already parsed (a GraphQL literal or variable).
     * @return true when it is within the bounds a JSON number in a document must keep.
     */
    public static boolean withinBounds(final BigDecimal value)
    {
        return value.precision() <= MAX_DIGITS && Math.abs((long)value.scale()) <= MAX_DIGITS + MAX_EXPONENT;
    }

    /**
     * @param value an integer already parsed.
     * @return true when it has at most {@link #MAX_DIGITS} digits.
     */
    public static boolean withinBounds(final BigInteger value)
    {
        return value.bitLength() <= 333;
    }

    /**
     * @param text any text.
     * @return the index of the first char that is half of a surrogate pair without its other half, or -1.
     */
    public static int unpairedSurrogate(final CharSequence text)
    {
        for (int i = 0, n = text.length(); i < n; i++)
        {
            final char c = text.charAt(i);
            if (Character.isHighSurrogate(c))
            {
                if (i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1)))
                {
                    i++;
                    continue;
                }
                return i;
            }
            if (Character.isLowSurrogate(c))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @param text text to quote in a detail.
     * @return at most {@value #LONGEST_ECHO} characters of it, with an ellipsis when cut.
     */
    public static String excerpt(final String text)
    {
        return text.length() <= LONGEST_ECHO ? text : text.substring(0, LONGEST_ECHO) + "...";
    }

    private void document()
    {
        skipWhitespace();
        if (pos >= end)
        {
            throw refuse(MALFORMED_JSON, pos, "the document is empty; expected a JSON value");
        }
        value();
    }

    private void value()
    {
        // iterative: 'stack' holds the open containers, so nesting never grows the Java stack
        int depth = 0;
        boolean expectValue = true;
        while (true)
        {
            skipWhitespace();
            if (expectValue)
            {
                if (pos >= end)
                {
                    throw refuse(MALFORMED_JSON, pos, "the document ends where a value was expected");
                }
                final int b = bytes[pos] & 0xff;
                if ('{' == b || '[' == b)
                {
                    if (depth >= MAX_DEPTH)
                    {
                        throw refuse(TOO_DEEP, pos, "objects and arrays may nest at most " + MAX_DEPTH + " deep");
                    }
                    stack[depth++] = '{' == b ? OBJECT : ARRAY;
                    pos++;
                    skipWhitespace();
                    final int close = '{' == b ? '}' : ']';
                    if (pos < end && (bytes[pos] & 0xff) == close)
                    {
                        pos++;
                        depth--;
                        expectValue = false;
                        continue;
                    }
                    if (OBJECT == stack[depth - 1])
                    {
                        key();
                    }
                    continue;
                }
                scalar();
                expectValue = false;
                continue;
            }

            if (0 == depth)
            {
                if (pos < end)
                {
                    throw refuse(MALFORMED_JSON, pos, "unexpected content after the end of the JSON document");
                }
                return;
            }
            final boolean inObject = OBJECT == stack[depth - 1];
            if (pos >= end)
            {
                throw refuse(MALFORMED_JSON, pos, "the document ends inside " + (inObject ? "an object; expected " +
                    "',' or '}'" : "an array; expected ',' or ']'"));
            }
            final int b = bytes[pos] & 0xff;
            if (',' == b)
            {
                pos++;
                if (inObject)
                {
                    skipWhitespace();
                    key();
                }
                expectValue = true;
            }
            else if ((inObject && '}' == b) || (!inObject && ']' == b))
            {
                pos++;
                depth--;
            }
            else
            {
                throw refuse(MALFORMED_JSON, pos, (inObject ? "expected ',' or '}' after a value in an object" :
                    "expected ',' or ']' after a value in an array") + ", found " + found(pos));
            }
        }
    }

    private void key()
    {
        if (pos >= end)
        {
            throw refuse(MALFORMED_JSON, pos, "the document ends where a key was expected");
        }
        if ('"' != bytes[pos])
        {
            throw refuse(MALFORMED_JSON, pos, "expected a key (a string in double quotes), found " + found(pos));
        }
        string();
        skipWhitespace();
        if (pos >= end)
        {
            throw refuse(MALFORMED_JSON, pos, "the document ends where ':' was expected after a key");
        }
        if (':' != bytes[pos])
        {
            throw refuse(MALFORMED_JSON, pos, "expected ':' after a key, found " + found(pos));
        }
        pos++;
    }

    private void scalar()
    {
        final int b = bytes[pos] & 0xff;
        switch (b)
        {
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default ->
            {
                if ('-' == b || (b >= '0' && b <= '9'))
                {
                    number();
                }
                else
                {
                    throw refuse(MALFORMED_JSON, pos, "expected a value (an object, array, string, number, true, " +
                        "false or null), found " + found(pos));
                }
            }
        }
    }

    private void literal(final String word)
    {
        final int start = pos;
        for (int i = 0; i < word.length(); i++)
        {
            if (pos >= end || bytes[pos] != word.charAt(i))
            {
                throw refuse(MALFORMED_JSON, start, "expected a value (an object, array, string, number, true, " +
                    "false or null), found " + found(start));
            }
            pos++;
        }
        if (pos < end && isWordByte(bytes[pos] & 0xff))
        {
            throw refuse(MALFORMED_JSON, start, "expected a value (an object, array, string, number, true, " +
                "false or null), found " + found(start));
        }
    }

    private void number()
    {
        final int start = pos;
        if ('-' == bytes[pos])
        {
            pos++;
        }
        int digits = 0;
        final int intStart = pos;
        while (pos < end && isDigit(bytes[pos]))
        {
            pos++;
            digits++;
        }
        if (0 == digits)
        {
            throw refuse(MALFORMED_JSON, start, "invalid number " + token(start) + ": expected a digit after '-'");
        }
        if (digits > 1 && '0' == bytes[intStart])
        {
            throw refuse(MALFORMED_JSON, start, "invalid number " + token(start) + ": leading zeros are not allowed");
        }
        if (pos < end && '.' == bytes[pos])
        {
            pos++;
            int fraction = 0;
            while (pos < end && isDigit(bytes[pos]))
            {
                pos++;
                fraction++;
            }
            if (0 == fraction)
            {
                throw refuse(MALFORMED_JSON, start, "invalid number " + token(start) + ": expected a digit after '.'");
            }
            digits += fraction;
        }
        if (pos < end && ('e' == bytes[pos] || 'E' == bytes[pos]))
        {
            pos++;
            if (pos < end && ('+' == bytes[pos] || '-' == bytes[pos]))
            {
                pos++;
            }
            long exponent = 0;
            int exponentDigits = 0;
            while (pos < end && isDigit(bytes[pos]))
            {
                exponent = Math.min(exponent * 10 + (bytes[pos] - '0'), Integer.MAX_VALUE);
                pos++;
                exponentDigits++;
            }
            if (0 == exponentDigits)
            {
                throw refuse(MALFORMED_JSON, start, "invalid number " + token(start) +
                    ": expected a digit in the exponent");
            }
            if (exponent > MAX_EXPONENT)
            {
                throw refuse(NUMBER_OUT_OF_RANGE, start, "the number " + token(start) + " has an exponent beyond " +
                    MAX_EXPONENT + "; numbers may have at most " + MAX_DIGITS + " digits and an exponent between -" +
                    MAX_EXPONENT + " and " + MAX_EXPONENT);
            }
        }
        if (digits > MAX_DIGITS)
        {
            throw refuse(NUMBER_OUT_OF_RANGE, start, "the number " + token(start) + " has " + digits +
                " digits; numbers may have at most " + MAX_DIGITS + " digits and an exponent between -" +
                MAX_EXPONENT + " and " + MAX_EXPONENT);
        }
        if (pos < end && isWordByte(bytes[pos] & 0xff))
        {
            throw refuse(MALFORMED_JSON, start, "invalid number " + token(start));
        }
    }

    private void string()
    {
        final int start = pos;
        pos++;
        while (true)
        {
            if (pos >= end)
            {
                throw refuse(MALFORMED_JSON, start, "unterminated string: the document ends before its closing '\"'");
            }
            final int b = bytes[pos] & 0xff;
            if ('"' == b)
            {
                pos++;
                return;
            }
            if ('\\' == b)
            {
                escape();
            }
            else if (b < 0x20)
            {
                throw refuse(MALFORMED_JSON, pos, "control character U+" + hex4(b) + " in a string; write it " +
                    "as an escape such as \\n or \\u" + hex4(b).toLowerCase(Locale.ROOT));
            }
            else if (b < 0x80)
            {
                pos++;
            }
            else
            {
                utf8();
            }
        }
    }

    private void escape()
    {
        final int start = pos;
        if (pos + 1 >= end)
        {
            throw refuse(MALFORMED_JSON, start, "unterminated string: the document ends inside an escape");
        }
        final int c = bytes[pos + 1] & 0xff;
        switch (c)
        {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> pos += 2;
            case 'u' ->
            {
                final int unit = hexUnit(start);
                pos += 6;
                if (unit >= 0xDC00 && unit <= 0xDFFF)
                {
                    throw refuse(UNPAIRED_SURROGATE, start, "\\u" + hex4(unit).toLowerCase(Locale.ROOT) +
                        " is a low surrogate without a high surrogate before it; JSON text must be Unicode " +
                        "characters (write a character above U+FFFF as a pair \\ud83d\\ude00, or as UTF-8)");
                }
                if (unit >= 0xD800 && unit <= 0xDBFF)
                {
                    final boolean paired = pos + 1 < end && '\\' == bytes[pos] && 'u' == bytes[pos + 1] &&
                        isLowSurrogate(hexUnit(pos));
                    if (!paired)
                    {
                        throw refuse(UNPAIRED_SURROGATE, start, "\\u" + hex4(unit).toLowerCase(Locale.ROOT) +
                            " is a high surrogate not followed by a low surrogate (\\udc00 to \\udfff); JSON text " +
                            "must be Unicode characters");
                    }
                    pos += 6;
                }
            }
            default -> throw refuse(MALFORMED_JSON, start, "invalid escape " + found(pos + 1, "\\") +
                " in a string; the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX");
        }
    }

    private boolean isLowSurrogate(final int unit)
    {
        return unit >= 0xDC00 && unit <= 0xDFFF;
    }

    /**
     * @param at the backslash of a {@code \\uXXXX} escape.
     * @return the escaped UTF-16 unit.
     */
    private int hexUnit(final int at)
    {
        if (at + 6 > end)
        {
            throw refuse(MALFORMED_JSON, at, "a \\u escape needs four hex digits");
        }
        int unit = 0;
        for (int i = at + 2; i < at + 6; i++)
        {
            final int digit = Character.digit(bytes[i] & 0xff, 16);
            if (digit < 0 || (bytes[i] & 0xff) >= 0x80)
            {
                throw refuse(MALFORMED_JSON, at, "a \\u escape needs four hex digits, found " + found(i));
            }
            unit = (unit << 4) | digit;
        }
        return unit;
    }

    /**
     * Validate the multi-byte UTF-8 sequence at {@code pos} (RFC 3629: shortest form, no surrogates, at most
     * U+10FFFF) and step over it.
     */
    private void utf8()
    {
        final int start = pos;
        final int b0 = bytes[pos] & 0xff;
        final int length;
        final int min;
        int codePoint;
        if (b0 >= 0xC2 && b0 <= 0xDF)
        {
            length = 2;
            min = 0x80;
            codePoint = b0 & 0x1F;
        }
        else if (b0 >= 0xE0 && b0 <= 0xEF)
        {
            length = 3;
            min = 0x800;
            codePoint = b0 & 0x0F;
        }
        else if (b0 >= 0xF0 && b0 <= 0xF4)
        {
            length = 4;
            min = 0x10000;
            codePoint = b0 & 0x07;
        }
        else if (0xC0 == b0 || 0xC1 == b0)
        {
            throw refuse(INVALID_UTF8, start, "byte 0x" + hex2(b0) + " starts an overlong encoding (a character " +
                "written with more bytes than it needs)");
        }
        else if (b0 >= 0xF5 && b0 <= 0xF7)
        {
            throw refuse(INVALID_UTF8, start, "byte 0x" + hex2(b0) + " would start a code point above U+10FFFF");
        }
        else
        {
            throw refuse(INVALID_UTF8, start, "byte 0x" + hex2(b0) + " cannot start a character");
        }
        for (int i = 1; i < length; i++)
        {
            if (start + i >= end)
            {
                throw refuse(INVALID_UTF8, start, "the document ends inside a " + length + "-byte character");
            }
            final int b = bytes[start + i] & 0xff;
            if ((b & 0xC0) != 0x80)
            {
                throw refuse(INVALID_UTF8, start, "byte 0x" + hex2(b) + " where the " + length +
                    "-byte character begun by 0x" + hex2(b0) + " needs a continuation byte (0x80 to 0xBF)");
            }
            codePoint = (codePoint << 6) | (b & 0x3F);
        }
        if (codePoint < min)
        {
            throw refuse(INVALID_UTF8, start, "overlong encoding of U+" + hex4(codePoint) + " (a character " +
                "written with more bytes than it needs)");
        }
        if (codePoint >= 0xD800 && codePoint <= 0xDFFF)
        {
            throw refuse(INVALID_UTF8, start, "encoded surrogate U+" + hex4(codePoint) + "; UTF-8 may not carry " +
                "surrogates, only characters");
        }
        if (codePoint > 0x10FFFF)
        {
            throw refuse(INVALID_UTF8, start, "code point U+" +
                Integer.toHexString(codePoint).toUpperCase(Locale.ROOT) +
                " is above U+10FFFF, the last Unicode character");
        }
        pos = start + length;
    }

    private void skipWhitespace()
    {
        while (pos < end)
        {
            final byte b = bytes[pos];
            if (' ' != b && '\n' != b && '\r' != b && '\t' != b)
            {
                return;
            }
            pos++;
        }
    }

    private Refusal refuse(final String code, final int at, final String reason)
    {
        int line = 1;
        int column = 1;
        for (int i = 0; i < at && i < end; i++)
        {
            final int b = bytes[i] & 0xff;
            if ('\n' == b)
            {
                line++;
                column = 1;
            }
            else if ((b & 0xC0) != 0x80)
            {
                column++;
            }
        }
        return new Refusal(code, line, column, reason);
    }

    private String found(final int at)
    {
        return found(at, "");
    }

    private String found(final int at, final String prefix)
    {
        if (at >= end)
        {
            return "the end of the document";
        }
        final int b = bytes[at] & 0xff;
        if (b >= 0x21 && b < 0x7f)
        {
            return "'" + prefix + (char)b + "'";
        }
        return "byte 0x" + hex2(b);
    }

    private String token(final int start)
    {
        int stop = start;
        while (stop < end && stop - start <= LONGEST_ECHO && isNumberByte(bytes[stop] & 0xff))
        {
            stop++;
        }
        final String text = new String(bytes, start, Math.min(stop, start + LONGEST_ECHO) - start,
            java.nio.charset.StandardCharsets.US_ASCII);
        return "'" + (stop - start > LONGEST_ECHO ? text + "..." : text) + "'";
    }

    private static boolean isDigit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    private static boolean isNumberByte(final int b)
    {
        return (b >= '0' && b <= '9') || '-' == b || '+' == b || '.' == b || 'e' == b || 'E' == b;
    }

    private static boolean isWordByte(final int b)
    {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || '.' == b || '_' == b ||
            '-' == b || '+' == b || b >= 0x80;
    }

    private static String hex2(final int b)
    {
        return String.format(Locale.ROOT, "%02X", b);
    }

    private static String hex4(final int unit)
    {
        return String.format(Locale.ROOT, "%04X", unit);
    }
}
