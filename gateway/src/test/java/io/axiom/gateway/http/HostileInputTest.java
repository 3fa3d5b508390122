package io.axiom.gateway.http;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;
import io.axiom.gateway.TestServer.Response;

import static io.axiom.gateway.http.HostileBytes.bytes;
import static io.axiom.gateway.http.HostileBytes.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile values in every field of create, advance and cancel and of the worker API (fetch, complete, fail,
 * heartbeat): numbers with huge exponents or endless digits, text
 * that is not UTF-8 or holds unpaired surrogates. Each one is a short 400 problem, the journal does not move, and no
 * detail carries a library's words.
 */
class HostileInputTest
{
    private static final String WORKFLOWS = "/api/v1/workflows";
    /** A refusal of a hostile value fits in this many bytes, whatever the value's size. */
    private static final int SHORT_BODY = 600;
    /** Where the hostile value goes: every numeric and string field of the three write requests. */
    private static final List<String> CREATE_FIELDS = List.of(
        "{\"name\":@,\"steps\":[\"A\"]}",
        "{\"name\":\"n\",\"steps\":[@]}",
        "{\"name\":\"n\",\"steps\":[{\"name\":@}]}",
        "{\"name\":\"n\",\"steps\":[{\"name\":\"A\",\"type\":@}]}",
        "{\"name\":\"n\",\"steps\":[{\"name\":\"A\",\"timeout_ms\":@}]}",
        "{\"name\":\"n\",\"steps\":[{\"name\":\"T\",\"type\":\"timer\",\"duration_ms\":@}]}",
        "{\"name\":\"n\",\"steps\":[{\"name\":\"A\",\"retry\":{\"max_attempts\":@}}]}",
        "{\"name\":\"n\",\"steps\":[{\"name\":\"A\",\"retry\":{\"backoff_ms\":@}}]}",
        "{\"name\":\"n\",\"steps\":[{\"name\":\"A\",\"retry\":{\"max_backoff_ms\":@}}]}",
        "{\"name\":\"n\",\"steps\":[{\"name\":\"A\",\"retry\":{\"multiplier\":@}}]}",
        "{\"name\":\"n\",\"steps\":[\"A\"],\"input\":{\"order\":[{\"amount\":@}]}}",
        "{\"name\":\"n\",\"steps\":[\"A\"],\"input\":@}");
    private static final List<String> ADVANCE_FIELDS = List.of(
        "{\"expected_step\":@}",
        "{\"output\":{\"approved\":[@]}}",
        "{\"output\":@}");
    private static final List<String> CANCEL_FIELDS = List.of("{\"reason\":@}");
    /** The worker API's numeric and JSON fields: path, template. */
    private static final List<List<String>> WORKER_NUMBER_FIELDS = List.of(
        List.of("/api/v1/tasks/fetch", "{\"steps\":[\"A\"],\"max_tasks\":@}"),
        List.of("/api/v1/tasks/fetch", "{\"steps\":[\"A\"],\"wait_ms\":@}"),
        List.of("/api/v1/tasks/fetch", "{\"steps\":[@]}"),
        List.of("/api/v1/tasks/1/complete", "{\"fencing_token\":@}"),
        List.of("/api/v1/tasks/1/complete", "{\"fencing_token\":1,\"output\":{\"a\":[@]}}"),
        List.of("/api/v1/tasks/1/fail", "{\"fencing_token\":@,\"error\":\"e\"}"),
        List.of("/api/v1/tasks/1/heartbeat", "{\"fencing_token\":@}"));
    /** The worker API's string fields and keys: path, template. */
    private static final List<List<String>> WORKER_STRING_FIELDS = List.of(
        List.of("/api/v1/tasks/fetch", "{\"steps\":[@]}"),
        List.of("/api/v1/tasks/fetch", "{\"steps\":[\"A\"],\"worker_id\":@}"),
        List.of("/api/v1/tasks/1/complete", "{\"fencing_token\":1,\"output\":{@:[@]}}"),
        List.of("/api/v1/tasks/1/fail", "{\"fencing_token\":1,\"error\":@}"),
        List.of("/api/v1/tasks/1/heartbeat", "{@:1}"));
    private static final List<String> HOSTILE_NUMBERS = List.of(
        "1e300000000", "-1e300000000", "1e-300000000", "1E+99999999999999999999", "1e100000",
        "9".repeat(100_000), "-0." + "1".repeat(100_000), "123456789".repeat(12) + "e5");
    private static final Set<String> NUMBER_CODES = Set.of("NUMBER_OUT_OF_RANGE");
    private static final Pattern LIBRARY_WORDS = Pattern.compile(
        "(?i)jackson|fasterxml|com\\.|java\\.|helidon|graphql\\.|exception|heap space|unexpected character|" +
        "\\(code \\d+\\)|StreamReadConstraints|LinkedHashMap|BigDecimal|BigInteger|FloatValue|IntValue|" +
        "was expecting|Unrecognized token");

    @TempDir
    static Path dataDir;

    private static TestServer server;
    private static String approvalId;

    private long position;

    @BeforeAll
    static void start()
    {
        server = TestServer.start(dataDir, "--wal.max-segment-size", "1MiB", "--core.ring-size", "1024");
        final Response created = server.postJson(WORKFLOWS,
            "{\"name\":\"target\",\"steps\":[{\"name\":\"APPROVE\",\"type\":\"approval\"},\"DONE\"]}");
        assertEquals(201, created.status(), created::toString);
        approvalId = created.json().get("id").asText();
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @BeforeEach
    void rememberJournal()
    {
        position = server.engine().journalPosition();
    }

    @AfterEach
    void nothingWasWritten()
    {
        assertEquals(position, server.engine().journalPosition(), "a refused request moved the journal");
        assertEquals(200, server.get("/health").status());
    }

    @Test
    void hugeNumbersInEveryFieldAreShortFastRefusals()
    {
        for (final String number : HOSTILE_NUMBERS)
        {
            final byte[] value = number.getBytes(StandardCharsets.US_ASCII);
            for (final String template : CREATE_FIELDS)
            {
                refusedShort(post(WORKFLOWS, fill(template, value)), NUMBER_CODES, number);
            }
            for (final String template : ADVANCE_FIELDS)
            {
                refusedShort(post(WORKFLOWS + "/" + approvalId + "/advance", fill(template, value)), NUMBER_CODES,
                    number);
            }
            for (final String template : CANCEL_FIELDS)
            {
                refusedShort(post(WORKFLOWS + "/" + approvalId + "/cancel", fill(template, value)), NUMBER_CODES,
                    number);
            }
            for (final List<String> field : WORKER_NUMBER_FIELDS)
            {
                refusedShort(post(field.get(0), fill(field.get(1), value)), NUMBER_CODES, number);
            }
        }
    }

    @Test
    void numbersWithinTheBoundsButWrongForTheFieldEchoOnlyAFewDozenCharacters()
    {
        final String big = "12345678901234567890123456789012345678901234567890";
        refusedShort(post(WORKFLOWS, fill("{\"name\":\"n\",\"steps\":[{\"name\":\"A\",\"timeout_ms\":@}]}",
            big.getBytes(StandardCharsets.US_ASCII))), Set.of("INVALID_VALUE"), big);
        refusedShort(post(WORKFLOWS, fill("{\"name\":@,\"steps\":[\"A\"]}", (big + ".5e999")
            .getBytes(StandardCharsets.US_ASCII))), Set.of("WRONG_TYPE"), big);
        refusedShort(post(WORKFLOWS, fill("{\"name\":\"n\",\"steps\":[{\"name\":\"A\",\"retry\":{\"multiplier\":@}}]}",
            ("9" + "0".repeat(90) + "e999").getBytes(StandardCharsets.US_ASCII))), Set.of("INVALID_VALUE"),
            "0".repeat(90));
        refusedShort(post(WORKFLOWS, fill("{\"name\":\"n\",\"steps\":[{\"name\":\"A\",\"timeout_ms\":@}]}",
            "1e5".getBytes(StandardCharsets.US_ASCII))), Set.of("WRONG_TYPE"), null);
    }

    @Test
    void numbersKeepTheirValueInTheStoredInput() throws Exception
    {
        final Response created = post(WORKFLOWS, ("{\"name\":\"exact\",\"steps\":[\"A\"],\"input\":{\"a\":" +
            "12345678901234567890.123456789012345678901234567890,\"b\":1e1000,\"c\":-0.10}}")
            .getBytes(StandardCharsets.US_ASCII));
        assertEquals(201, created.status(), created::toString);
        final JsonNode input = RequestParser.MAPPER.readTree(created.body()).get("input");
        assertEquals("12345678901234567890.123456789012345678901234567890", input.get("a").decimalValue().toString());
        assertEquals(0, input.get("b").decimalValue().compareTo(new java.math.BigDecimal("1e1000")));
        assertEquals("-0.10", input.get("c").decimalValue().toString());
        rememberJournal();
    }

    @Test
    void textThatIsNotUnicodeIsRefusedInEveryStringFieldAndKey()
    {
        final List<byte[]> badStrings = List.of(
            bytes("\"a", 0xC0, 0xAF, "b\""),
            bytes("\"", 0xF4, 0x90, 0x80, 0x80, "\""),
            bytes("\"", 0xED, 0xA0, 0x80, "\""),
            bytes("\"x", 0xE2, 0x82, "\""),
            bytes("\"\\ud800\""),
            bytes("\"\\udfff x\""),
            bytes("\"\\ud800\\u0041\""));
        final List<String> stringFields = new ArrayList<>(List.of(
            "{\"name\":@,\"steps\":[\"A\"]}",
            "{\"name\":\"n\",\"steps\":[@]}",
            "{\"name\":\"n\",\"steps\":[{\"name\":@}]}",
            "{\"name\":\"n\",\"steps\":[{\"name\":\"A\",\"type\":@}]}",
            "{\"name\":\"n\",\"steps\":[\"A\"],\"input\":{\"note\":@}}",
            "{\"name\":\"n\",\"steps\":[\"A\"],\"input\":{@:1}}",
            "{@:\"n\",\"steps\":[\"A\"]}"));
        final Set<String> codes = Set.of(JsonCheck.INVALID_UTF8, JsonCheck.UNPAIRED_SURROGATE);
        for (final byte[] bad : badStrings)
        {
            for (final String template : stringFields)
            {
                refusedShort(post(WORKFLOWS, fill(template, bad)), codes, null);
            }
            refusedShort(post(WORKFLOWS + "/" + approvalId + "/advance", fill("{\"expected_step\":@}", bad)), codes,
                null);
            refusedShort(post(WORKFLOWS + "/" + approvalId + "/advance", fill("{\"output\":{@:[@]}}", bad)), codes,
                null);
            refusedShort(post(WORKFLOWS + "/" + approvalId + "/cancel", fill("{\"reason\":@}", bad)), codes, null);
            for (final List<String> field : WORKER_STRING_FIELDS)
            {
                refusedShort(post(field.get(0), fill(field.get(1), bad)), codes, null);
            }
        }
    }

    @Test
    void aValidCharacterAboveTheBasicPlaneIsKept()
    {
        final Response created = post(WORKFLOWS,
            "{\"name\":\"\\ud83d\\ude00 \ud83d\ude00\",\"steps\":[\"A\"]}".getBytes(StandardCharsets.UTF_8));
        assertEquals(201, created.status(), created::toString);
        assertEquals("\ud83d\ude00 \ud83d\ude00", created.json().get("name").asText());
        rememberJournal();
    }

    @Test
    void hostileClientsInParallelDoNotStopOthers() throws Exception
    {
        final byte[] hostile =
            fill("{\"name\":@,\"steps\":[\"A\"]}", "1e300000000".getBytes(StandardCharsets.US_ASCII));
        try (ExecutorService clients = Executors.newFixedThreadPool(8))
        {
            final List<Future<Integer>> refusals = new ArrayList<>();
            for (int c = 0; c < 8; c++)
            {
                refusals.add(clients.submit(() ->
                {
                    int refused = 0;
                    for (int i = 0; i < 25; i++)
                    {
                        final Response r = post(WORKFLOWS, hostile);
                        refused += r.status() == 400 && r.body().length() < SHORT_BODY ? 1 : 0;
                    }
                    return refused;
                }));
            }
            for (int i = 0; i < 20; i++)
            {
                final Response r = post(WORKFLOWS, "{\"name\":\"normal\",\"steps\":[\"A\"]}"
                    .getBytes(StandardCharsets.US_ASCII));
                assertEquals(201, r.status(), r::toString);
            }
            for (final Future<Integer> refused : refusals)
            {
                assertEquals(25, refused.get());
            }
        }
        rememberJournal();
    }

    @Test
    void noDetailSpeaksOfTheLibrariesBehindIt()
    {
        final List<byte[]> bodies = List.of(
            "{\"name\": x}".getBytes(StandardCharsets.US_ASCII),
            "{\"name\": \"x\", \"name\": \"y\", \"steps\": [\"A\"]}".getBytes(StandardCharsets.US_ASCII),
            "{\"name\": \"x\" \"steps\": []}".getBytes(StandardCharsets.US_ASCII),
            "[1,2".getBytes(StandardCharsets.US_ASCII),
            "{\"a\":\"\\q\"}".getBytes(StandardCharsets.US_ASCII),
            "{\"name\":NaN}".getBytes(StandardCharsets.US_ASCII),
            ("{\"name\":\"n\",\"steps\":[\"A\"],\"input\":" + "[".repeat(300)).getBytes(StandardCharsets.US_ASCII),
            bytes("{\"name\":\"", 0xFE, "\"}"));
        for (final byte[] body : bodies)
        {
            final Response r = post(WORKFLOWS, body);
            assertEquals(400, r.status(), r::toString);
            final String detail = r.json().get("detail").asText();
            assertFalse(LIBRARY_WORDS.matcher(detail).find(), detail);
            assertTrue(detail.matches("[a-zA-Z0-9 -]+ at line \\d+, column \\d+: .+"), detail);
        }
    }

    private static Response post(final String path, final byte[] body)
    {
        return server.send(server.request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private static void refusedShort(final Response r, final Set<String> codes, final String value)
    {
        assertEquals(400, r.status(), () -> r.toString().substring(0, Math.min(400, r.toString().length())));
        assertTrue(r.body().length() < SHORT_BODY, () -> "long answer (" + r.body().length() + " chars): " +
            r.body().substring(0, 400));
        assertEquals("application/problem+json", r.contentType());
        final JsonNode problem = r.json();
        assertTrue(codes.contains(problem.get("code").asText()), r::toString);
        final String detail = problem.get("detail").asText();
        assertFalse(LIBRARY_WORDS.matcher(detail).find(), detail);
        if (null != value && value.length() > 40)
        {
            assertFalse(detail.contains(value.substring(0, 40)), "echoed more than a few dozen characters: " + detail);
        }
    }
}
