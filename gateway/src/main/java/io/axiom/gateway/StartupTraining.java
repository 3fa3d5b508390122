package io.axiom.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The training run of the start-up cache that {@code bin/axiom} keeps for the short commands (an AOT cache on JDK
 * 25+, a dynamic CDS archive before): it runs the client commands in-process against a canned server on a loopback
 * port, so that the classes they load (picocli, Jackson, {@code java.net.http}, the views) are recorded, with no
 * side effect on any real server and nothing printed. {@code bin/axiom} runs it in the background, once per build.
 */
public final class StartupTraining
{
    private static final String WORKFLOW = "{\"id\":\"1\",\"name\":\"training\",\"state\":\"WAITING\"," +
        "\"current_step\":\"REVIEW\",\"current_step_index\":0,\"steps\":[{\"index\":0,\"name\":\"REVIEW\"," +
        "\"type\":\"approval\",\"status\":\"ACTIVE\",\"attempts\":1,\"completed_at\":null,\"output\":null}," +
        "{\"index\":1,\"name\":\"SEND\",\"type\":\"task\",\"status\":\"PENDING\",\"attempts\":0," +
        "\"completed_at\":null,\"output\":null,\"retry\":{\"max_attempts\":5,\"backoff_ms\":1000," +
        "\"max_backoff_ms\":60000,\"multiplier\":2.0}}],\"input\":{\"n\":1},\"idempotency_key\":null," +
        "\"created_at\":\"2026-01-01T00:00:00.000Z\",\"updated_at\":\"2026-01-01T00:00:00.001Z\"," +
        "\"event_count\":3,\"reason\":null}";
    private static final String EVENT = "{\"position\":64,\"sequence\":1,\"type\":\"StepLeased\"," +
        "\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"step_index\":1,\"step\":\"SEND\",\"attempt\":1," +
        "\"worker_id\":7,\"fencing_token\":64,\"lease_expires_at\":1767225630000,\"attempt_deadline\":1767225660000}";
    private static final Map<String, String> ANSWERS = Map.of(
        "/api/v1/workflows", "{\"workflows\":[" + WORKFLOW + "],\"total\":1,\"total_exact\":true," +
            "\"offset\":0,\"limit\":50,\"next_offset\":null}",
        "/api/v1/workflows/1", WORKFLOW,
        "/api/v1/workflows/1/events", "{\"workflow_id\":\"1\",\"total\":1,\"events\":[" + EVENT + "]," +
            "\"next_after\":null}",
        "/api/v1/workflows/1/replay", "{\"workflow_id\":\"1\",\"matches_live\":true,\"steps\":[{\"event\":" + EVENT +
            ",\"state\":" + WORKFLOW + "}],\"live\":" + WORKFLOW + "}",
        "/api/v1/workflows/1/advance", WORKFLOW,
        "/api/v1/workflows/1/cancel", WORKFLOW,
        "/api/v1/tasks", "{\"queues\":[{\"step\":\"SEND\",\"queued\":1,\"leased\":0,\"workers\":0," +
            "\"oldest_queued_age_ms\":5}],\"queued\":1,\"leased\":0}",
        "/api/v1/metrics", "{\"commands\":{\"total\":1,\"rate\":0.5},\"ring\":{\"size\":8192}}");
    private static final String NOT_FOUND = "{\"type\":\"urn:axiom:problem:not-found\",\"title\":\"Not Found\"," +
        "\"status\":404,\"detail\":\"workflow 2 does not exist\",\"code\":\"NOT_FOUND\"}";

    private StartupTraining()
    {
    }

    /**
     * @param args ignored.
     * @throws IOException when the loopback server cannot be bound.
     */
    public static void main(final String[] args) throws IOException
    {
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", StartupTraining::answer);
        server.start();
        try
        {
            final String url = "http://127.0.0.1:" + server.getAddress().getPort();
            final PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
            final Map<String, String> env = Map.of("AXIOM_SERVER", url);
            final String[][] commands = {
                {"--help"},
                {"--version"},
                {"workflow", "list", "--state", "WAITING"},
                {"--json", "workflow", "list"},
                {"workflow", "inspect", "1"},
                {"workflow", "inspect", "2"},
                {"workflow", "events", "1"},
                {"workflow", "replay", "1"},
                {"workflow", "create", "--name", "t", "--steps", "A,B", "--input", "{\"n\":1}"},
                {"workflow", "advance", "1", "--output", "{\"ok\":true}"},
                {"workflow", "cancel", "1", "--reason", "r", "--json"},
                {"workflow", "create", "--name", "no-steps"},
                {"tasks"},
                {"metrics"},
                {"workflow", "list", "--server", "http://127.0.0.1:1"},
                {"completion"}
            };
            for (final String[] command : commands)
            {
                AxiomMain.execute(env, nowhere, nowhere, command);
            }
        }
        finally
        {
            server.stop(0);
        }
    }

    private static void answer(final HttpExchange exchange) throws IOException
    {
        final String path = exchange.getRequestURI().getPath();
        final String body = "POST".equals(exchange.getRequestMethod()) && "/api/v1/workflows".equals(path) ?
            ANSWERS.get("/api/v1/workflows/1") : ANSWERS.get(path);
        exchange.getRequestBody().readAllBytes();
        final byte[] bytes = (null == body ? NOT_FOUND : body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type",
            null == body ? "application/problem+json" : "application/json");
        exchange.sendResponseHeaders(null == body ? 404 : "POST".equals(exchange.getRequestMethod()) &&
            "/api/v1/workflows".equals(path) ? 201 : 200, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }
}
