package io.axiom.gateway.metrics;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import io.axiom.core.Engine;
import io.axiom.gateway.http.ApiProblem;
import io.axiom.gateway.http.GatewayModule;
import io.axiom.gateway.http.JsonCheck;
import io.axiom.gateway.http.JsonViews;
import io.axiom.gateway.http.Responses;

/**
 * {@code GET /api/v1/metrics} (JSON; with {@code max_age_ms} a reading up to that old is answered again, so that any
 * number of consoles polling it cost one reading per interval) and {@code GET /api/v1/metrics/prometheus} (the Prometheus client library's
 * exposition: text format 0.0.4 by default, OpenMetrics text or protobuf, with native histograms, when the
 * {@code Accept} header asks), and the filter that counts every HTTP request by route template and status, and every
 * problem answer by its {@code code}.
 * <p>
 * Each module has its own {@link PrometheusRegistry} (never the library's static default one), since one JVM may run
 * several servers: one collector reads a {@link MetricsReport} per scrape, another adds the JVM and process metrics
 * of the library's instrumentation, registered once per process in {@link #JVM} (they are the process's, and the
 * library keeps every registry it registered them with for good, so a registry per server would keep each server's
 * engine reachable after it closed).
 * <p>
 * Metrics are served during recovery too (they do not go through the engine's ring): an operator watches recovery
 * progress on them. The problem code is read from the answer's body as it is written (only answers of type
 * {@code application/problem+json} are copied, at most {@link #MAX_PROBLEM_BYTES}); errors Helidon answers before
 * routing (malformed request line, declared body over the server's limit) never reach the filter and are not
 * counted.
 */
public final class MetricsModule implements GatewayModule
{
    /** The JSON document. */
    public static final String METRICS = "/api/v1/metrics";
    /** The Prometheus text. */
    public static final String PROMETHEUS = "/api/v1/metrics/prometheus";
    /** The JSON route's one parameter: how old, in ms, a reading may be (see {@link #maxAgeMs}). */
    public static final String MAX_AGE_MS = "max_age_ms";
    /** Largest {@link #MAX_AGE_MS} taken. */
    public static final long MAX_AGE_MS_LIMIT = 60_000;
    /** Most bytes of a problem answer copied to find its code. */
    public static final int MAX_PROBLEM_BYTES = 16 * 1024;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ExpositionFormats FORMATS = ExpositionFormats.init();
    private static final PrometheusRegistry JVM = new PrometheusRegistry();

    static
    {
        JvmMetrics.builder().register(JVM);
    }

    private final Engine engine;
    private final HttpMetrics http = new HttpMetrics();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private volatile Reading lastReading;

    /**
     * @param engine the engine whose figures are shown.
     */
    public MetricsModule(final Engine engine)
    {
        this.engine = engine;
        registry.register((MultiCollector)() -> report().snapshots());
        registry.register((MultiCollector)JVM::scrape);
    }

    /**
     * @return the HTTP figures, also the listener the auth filter tells of its refusals.
     */
    public HttpMetrics http()
    {
        return http;
    }

    /**
     * Serve more metric families on {@link #PROMETHEUS}, collected on each scrape after the engine's (a cluster
     * member's figures, for one). Call before the server serves requests.
     *
     * @param collector reads its families per scrape; cheap, never blocking.
     */
    public void add(final MultiCollector collector)
    {
        registry.register(collector);
    }

    /**
     * @return every figure, read now.
     */
    public MetricsReport report()
    {
        return new MetricsReport(engine, http);
    }

    @Override
    public void filters(final HttpRouting.Builder routing)
    {
        routing.addFilter(this::filter);
    }

    @Override
    public void routes(final HttpRouting.Builder routing)
    {
        routing
            .get(METRICS, this::json)
            .get(PROMETHEUS, this::prometheus)
            .any(METRICS, MetricsModule::onlyGet)
            .any(PROMETHEUS, MetricsModule::onlyGet);
    }

    private void json(final ServerRequest req, final ServerResponse res)
    {
        final long maxAgeNs;
        try
        {
            maxAgeNs = TimeUnit.MILLISECONDS.toNanos(maxAgeMs(req.query()));
        }
        catch (final ApiProblem problem)
        {
            Responses.problem(req, res, problem);
            return;
        }
        final long now = System.nanoTime();
        Reading reading = lastReading;
        if (null == reading || now - reading.readAtNs > maxAgeNs)
        {
            try
            {
                reading = new Reading(now, MAPPER.writeValueAsBytes(report().json()));
            }
            catch (final JsonProcessingException ex)
            {
                throw new UncheckedIOException(ex);
            }
            lastReading = reading;
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(reading.body);
    }

    /**
     * @return {@code max_age_ms}: how old a reading may be and still be answered (0, the default, reads now); any
     * other parameter is refused.
     */
    static long maxAgeMs(final UriQuery query)
    {
        long maxAgeMs = 0;
        for (final String name : query.names())
        {
            if (!MAX_AGE_MS.equals(name))
            {
                throw ApiProblem.badRequest("UNKNOWN_PARAMETER", "unknown query parameter '" +
                    JsonCheck.excerpt(name) + "'; GET " + METRICS + " takes only " + MAX_AGE_MS);
            }
            final List<String> values = query.all(name);
            final String value = values.getFirst();
            if (values.size() != 1 || !value.matches("[0-9]{1,5}") || Long.parseLong(value) > MAX_AGE_MS_LIMIT)
            {
                throw ApiProblem.badRequest("INVALID_QUERY", MAX_AGE_MS + " must be given once, a whole number of " +
                    "milliseconds from 0 to " + MAX_AGE_MS_LIMIT + "; got '" + JsonCheck.excerpt(String.join(",",
                    values)) + "'");
            }
            maxAgeMs = Long.parseLong(value);
        }
        return maxAgeMs;
    }

    /**
     * The last JSON reading and when it was taken, shared by the requests that accept a reading of some age.
     */
    private record Reading(long readAtNs, byte[] body)
    {
    }

    private void prometheus(final ServerRequest req, final ServerResponse res)
    {
        final ExpositionFormatWriter writer = writer(req.headers().value(HeaderNames.ACCEPT).orElse(null));
        final ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
        try
        {
            writer.write(body, registry.scrape());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, writer.getContentType());
        res.send(body.toByteArray());
    }

    /**
     * @param accept the request's {@code Accept} header, or null.
     * @return the library's writer for it: protobuf (with native histograms) when asked, OpenMetrics text when asked,
     * else text format 0.0.4; when the protobuf writer ({@code prometheus-metrics-exposition-formats}) is missing from
     * the class path, the best text format the header also accepts.
     */
    static ExpositionFormatWriter writer(final String accept)
    {
        final ExpositionFormatWriter writer = FORMATS.findWriter(accept);
        if (writer.isAvailable())
        {
            return writer;
        }
        return FORMATS.getOpenMetricsTextFormatWriter().accepts(accept) ?
            FORMATS.getOpenMetricsTextFormatWriter() : FORMATS.getPrometheusTextFormatWriter();
    }

    private static void onlyGet(final ServerRequest req, final ServerResponse res)
    {
        final ApiProblem problem = new ApiProblem(405, "METHOD_NOT_ALLOWED", "Method not allowed",
            "method " + req.prologue().method().text() + " is not allowed on " + req.path().rawPath() +
            "; allowed: GET");
        res.status(Status.METHOD_NOT_ALLOWED_405);
        res.header(HeaderNames.ALLOW, "GET");
        res.header(HeaderNames.CONTENT_TYPE, "application/problem+json");
        res.send(JsonViews.problem(problem, req.path().rawPath()));
    }

    private void filter(final FilterChain chain, final RoutingRequest req, final RoutingResponse res)
    {
        final long startNs = System.nanoTime();
        final String method = req.prologue().method().text();
        final String rawPath = req.path().rawPath();
        final ByteArrayOutputStream problem = new ByteArrayOutputStream(0);
        res.streamFilter(out -> isProblem(res) ? new Tee(out, problem) : out);
        res.whenSent(() -> http.record(method, rawPath, res.status().code(),
            isProblem(res) ? problemCode(problem.toByteArray()) : null, System.nanoTime() - startNs));
        chain.proceed();
    }

    private static boolean isProblem(final ServerResponse res)
    {
        return res.headers().contentType()
            .map(type -> "application/problem+json".equalsIgnoreCase(type.mediaType().text()))
            .orElse(false);
    }

    /**
     * @param body the start of a problem document.
     * @return its {@code code} member, or {@code UNKNOWN} when there is none to read.
     */
    static String problemCode(final byte[] body)
    {
        try
        {
            final JsonNode code = MAPPER.readTree(body).get("code");
            return null != code && code.isTextual() && !code.textValue().isEmpty() && code.textValue().length() <= 64 ?
                code.textValue() : "UNKNOWN";
        }
        catch (final IOException | RuntimeException ex)
        {
            return "UNKNOWN";
        }
    }

    /**
     * Passes every byte on and keeps a copy of the first {@link #MAX_PROBLEM_BYTES}.
     */
    private static final class Tee extends FilterOutputStream
    {
        private final ByteArrayOutputStream copy;

        Tee(final OutputStream out, final ByteArrayOutputStream copy)
        {
            super(out);
            this.copy = copy;
        }

        @Override
        public void write(final int b) throws IOException
        {
            out.write(b);
            if (copy.size() < MAX_PROBLEM_BYTES)
            {
                copy.write(b);
            }
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException
        {
            out.write(b, off, len);
            copy.write(b, off, Math.min(len, Math.max(0, MAX_PROBLEM_BYTES - copy.size())));
        }

        /**
         * Not passed on: Helidon commits the headers at a flush, and a response committed before its end goes out
         * chunked, which an HTTP/1.0 client cannot read. Closing ends the response with its Content-Length.
         */
        @Override
        public void flush()
        {
        }

        @Override
        public void close() throws IOException
        {
            out.close();
        }
    }
}
