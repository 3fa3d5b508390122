package io.axiom.gateway.http;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-pass check every JSON body goes through before a parser sees it: what it lets through, what it refuses,
 * and that a refusal names line, column and the expectation in Axiom's words.
 */
class JsonCheckTest
{
    @Test
    void wellFormedDocumentsPass()
    {
        for (final String json : new String[] {
            "{}", "[]", "0", "-0.5e-7", "\"\"", "true", "null",
            " {\"a\" : [1, 2.5, -3e2, {\"b\": null}], \"c\": \"x\" } ",
            "{\"emoji\": \"\\ud83d\\ude00 \ud83d\ude00\", \"e\": \"\u00e9\u4e2d\"" +
                ", \"esc\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
            "1" + "0".repeat(JsonCheck.MAX_DIGITS - 1), "1e1000", "1E-1000", "[".repeat(256) + "]".repeat(256)})
        {
            assertDoesNotThrow(() -> JsonCheck.check(json.getBytes(StandardCharsets.UTF_8)), json);
        }
    }

    @Test
    void oneCheckerServesManyDocumentsReadingOnlyTheirLength()
    {
        final JsonCheck checker = new JsonCheck();
        final byte[] scratch = new byte[64];
        final byte[] good = "{\"ok\":[1,2]}".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(good, 0, scratch, 0, good.length);
        scratch[good.length] = '}'; // beyond the length: not part of the document
        assertDoesNotThrow(() -> checker.verify(scratch, good.length));
        final byte[] deep = ("[".repeat(300) + "]".repeat(300)).getBytes(StandardCharsets.UTF_8);
        assertThrows(JsonCheck.Refusal.class, () -> checker.verify(deep, deep.length));
        assertThrows(JsonCheck.Refusal.class, () -> checker.verify(scratch, good.length + 1), "trailing '}'");
        assertDoesNotThrow(() -> checker.verify(scratch, good.length), "a refusal leaves nothing behind");
    }

    @Test
    void invalidUtf8IsRefused()
    {
        refused(bytes("{\"a\":\"", 0xC0, 0xAF, "\"}"), JsonCheck.INVALID_UTF8, 1, 7, "overlong");
        refused(bytes("{\"a\":\"", 0xE0, 0x80, 0xAF, "\"}"), JsonCheck.INVALID_UTF8, 1, 7,
            "overlong encoding of U+002F");
        refused(bytes("{\"a\":\"", 0xF4, 0x90, 0x80, 0x80, "\"}"), JsonCheck.INVALID_UTF8, 1, 7, "above U+10FFFF");
        refused(bytes("{\"a\":\"", 0xF5, 0x80, 0x80, 0x80, "\"}"), JsonCheck.INVALID_UTF8, 1, 7, "above U+10FFFF");
        refused(bytes("{\"a\":\"", 0xED, 0xA0, 0x80, "\"}"), JsonCheck.INVALID_UTF8, 1, 7, "surrogate U+D800");
        refused(bytes("{\"a\":\"", 0xED, 0xBF, 0xBF, "\"}"), JsonCheck.INVALID_UTF8, 1, 7, "surrogate U+DFFF");
        refused(bytes("{\"a\":\"", 0xC3, "\"}"), JsonCheck.INVALID_UTF8, 1, 7, "needs a continuation byte");
        refused(bytes("{\"a\":\"", 0x80, "\"}"), JsonCheck.INVALID_UTF8, 1, 7, "cannot start a character");
        refused(bytes("{\"a\":\"", 0xFF, "\"}"), JsonCheck.INVALID_UTF8, 1, 7, "byte 0xFF cannot start");
        refused(bytes("{\"a\":\"x", 0xE2, 0x82), JsonCheck.INVALID_UTF8, 1, 8, "ends inside a 3-byte character");
        refused(bytes("{\"", 0xC0, 0xAF, "\":1}"), JsonCheck.INVALID_UTF8, 1, 3, "overlong");
    }

    @Test
    void unpairedSurrogateEscapesAreRefused()
    {
        refused("{\"a\":\"\\ud800\"}", JsonCheck.UNPAIRED_SURROGATE, 1, 7, "\\ud800 is a high surrogate not followed");
        refused("{\"a\":\"\\ud800\\u0041\"}", JsonCheck.UNPAIRED_SURROGATE, 1, 7, "high surrogate");
        refused("{\"a\":\"x\\udc00\"}", JsonCheck.UNPAIRED_SURROGATE, 1, 8, "low surrogate without");
        refused("{\"\\ud800\":1}", JsonCheck.UNPAIRED_SURROGATE, 1, 3, "high surrogate");
        refused("{\"a\":\"\\ud83d\\ud83d\"}", JsonCheck.UNPAIRED_SURROGATE, 1, 7, "high surrogate");
        assertDoesNotThrow(() -> JsonCheck.check("\"\\uD83D\\uDE00\"".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void numbersOutOfBoundsAreRefusedWithAShortEcho()
    {
        final JsonCheck.Refusal huge = refused("{\"name\":1e300000000}", JsonCheck.NUMBER_OUT_OF_RANGE, 1, 9,
            "the number '1e300000000' has an exponent beyond 1000");
        assertTrue(huge.getMessage().length() < 200, huge.getMessage());
        refused("[-1E+300000000]", JsonCheck.NUMBER_OUT_OF_RANGE, 1, 2, "exponent beyond 1000");
        refused("[1e-300000000]", JsonCheck.NUMBER_OUT_OF_RANGE, 1, 2, "exponent beyond 1000");
        refused("[1e1001]", JsonCheck.NUMBER_OUT_OF_RANGE, 1, 2, "exponent beyond 1000");
        refused("[1e99999999999999999999999999]", JsonCheck.NUMBER_OUT_OF_RANGE, 1, 2, "exponent beyond");
        final String digits = "7".repeat(1_000_000);
        final JsonCheck.Refusal longOne = refused("[" + digits + "]", JsonCheck.NUMBER_OUT_OF_RANGE, 1, 2,
            "has 1000000 digits");
        assertTrue(longOne.getMessage().length() < 250, longOne.getMessage());
        refused("[0." + "1".repeat(JsonCheck.MAX_DIGITS) + "]", JsonCheck.NUMBER_OUT_OF_RANGE, 1, 2, "101 digits");
    }

    @Test
    void malformedDocumentsSayWhereAndWhatWasExpected()
    {
        refused("", JsonCheck.MALFORMED_JSON, 1, 1, "the document is empty");
        refused("{\"name\": x}", JsonCheck.MALFORMED_JSON, 1, 10, "expected a value (an object, array, string, " +
            "number, true, false or null), found 'x'");
        refused("{name: 1}", JsonCheck.MALFORMED_JSON, 1, 2, "expected a key (a string in double quotes), found 'n'");
        refused("{\"a\" 1}", JsonCheck.MALFORMED_JSON, 1, 6, "expected ':' after a key, found '1'");
        refused("{\"a\": 1 \"b\": 2}", JsonCheck.MALFORMED_JSON, 1, 9, "expected ',' or '}' after a value in an " +
            "object, found '\"'");
        refused("[1 2]", JsonCheck.MALFORMED_JSON, 1, 4, "expected ',' or ']' after a value in an array");
        refused("{\"a\": [1,", JsonCheck.MALFORMED_JSON, 1, 10, "ends where a value was expected");
        refused("{\"a\": 1", JsonCheck.MALFORMED_JSON, 1, 8, "ends inside an object");
        refused("{} {}", JsonCheck.MALFORMED_JSON, 1, 4, "unexpected content after the end of the JSON document");
        refused("{\n  \"a\": tru\n}", JsonCheck.MALFORMED_JSON, 2, 8, "found 't'");
        refused("[\"abc", JsonCheck.MALFORMED_JSON, 1, 2, "unterminated string");
        refused("[\"a\nb\"]", JsonCheck.MALFORMED_JSON, 1, 4, "control character U+000A");
        refused("[\"\\x\"]", JsonCheck.MALFORMED_JSON, 1, 3, "invalid escape '\\x'");
        refused("[\"\\u12g4\"]", JsonCheck.MALFORMED_JSON, 1, 3, "four hex digits");
        refused("[01]", JsonCheck.MALFORMED_JSON, 1, 2, "leading zeros");
        refused("[1.]", JsonCheck.MALFORMED_JSON, 1, 2, "expected a digit after '.'");
        refused("[-]", JsonCheck.MALFORMED_JSON, 1, 2, "expected a digit after '-'");
        refused("[1e]", JsonCheck.MALFORMED_JSON, 1, 2, "expected a digit in the exponent");
        refused("[NaN]", JsonCheck.MALFORMED_JSON, 1, 2, "found 'N'");
        refused("[truex]", JsonCheck.MALFORMED_JSON, 1, 2, "found 't'");
        refused("[".repeat(257), JsonCheck.TOO_DEEP, 1, 257, "at most 256 deep");
    }

    @Test
    void refusalsNameColumnsInCharactersNotBytes()
    {
        refused("{\"\u00e9\u00e9\": x}", JsonCheck.MALFORMED_JSON, 1, 8, "found 'x'");
    }

    @Test
    void boundsOfParsedNumbers()
    {
        assertTrue(JsonCheck.withinBounds(new BigDecimal("1e1000")));
        assertFalse(JsonCheck.withinBounds(new BigDecimal("1e300000000")));
        assertFalse(JsonCheck.withinBounds(new BigDecimal("1e-300000000")));
        assertTrue(JsonCheck.withinBounds(BigInteger.TEN.pow(99)));
        assertFalse(JsonCheck.withinBounds(BigInteger.TEN.pow(200)));
    }

    @Test
    void unpairedSurrogatesInJavaText()
    {
        assertEquals(-1, JsonCheck.unpairedSurrogate("a\ud83d\ude00b"));
        assertEquals(1, JsonCheck.unpairedSurrogate("a\ud800b"));
        assertEquals(0, JsonCheck.unpairedSurrogate("\udc00"));
        assertEquals(2, JsonCheck.unpairedSurrogate("ab\ud800"));
    }

    private static JsonCheck.Refusal refused(
        final String json, final String code, final int line, final int column, final String reasonPart)
    {
        return refused(json.getBytes(StandardCharsets.UTF_8), code, line, column, reasonPart);
    }

    private static JsonCheck.Refusal refused(
        final byte[] json, final String code, final int line, final int column, final String reasonPart)
    {
        final JsonCheck.Refusal refusal = assertThrows(JsonCheck.Refusal.class, () -> JsonCheck.check(json),
            () -> new String(json, StandardCharsets.ISO_8859_1));
        assertEquals(code, refusal.code(), refusal::getMessage);
        assertEquals(line, refusal.line(), refusal::getMessage);
        assertEquals(column, refusal.column(), refusal::getMessage);
        assertTrue(refusal.reason().contains(reasonPart), () -> "'" + reasonPart + "' not in: " + refusal.getMessage());
        assertTrue(refusal.getMessage().contains("at line " + line + ", column " + column + ": "),
            refusal::getMessage);
        return refusal;
    }

    private static byte[] bytes(final Object... parts)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (final Object part : parts)
        {
            if (part instanceof String text)
            {
                out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
            }
            else
            {
                out.write((Integer)part);
            }
        }
        return out.toByteArray();
    }
}
