package io.axiom.perf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What open web consoles cost the engine: the HTTP load of {@link HttpBenchmark} (fixed-rate creates and GETs, then
 * wrk's closed-loop GET throughput) run with no console open, with N consoles' requests replayed
 * ({@link ConsoleTraffic}) and with N real consoles open and live (headless Chromium, {@link ConsoleBrowsers}), in
 * alternating order over several rounds (ABBA), against one server, so that drift of the shared machine falls on
 * every side. The consoles' own request rate is read from the server's
 * request counters.
 */
final class ConsoleCostBenchmark
{
    private static final String CREATE = "{\"name\":\"perf-console\",\"steps\":[\"RESERVE_STOCK\",\"CHARGE_CARD\"]," +
        "\"input\":{\"order_id\":1}}";
    private static final String APPROVAL = "{\"name\":\"perf-console-approval\",\"steps\":[{\"name\":\"REVIEW\"," +
        "\"type\":\"approval\"},{\"name\":\"COOL_OFF\",\"type\":\"timer\",\"duration_ms\":604800000},\"SHIP\"]}";
    private static final Set<String> LOAD_ROUTES = Set.of("POST /api/v1/workflows", "GET /api/v1/workflows/{id}");
    private static final long MIX = 0x9E3779B97F4A7C15L;

    /**
     * One measured run: a variant (consoles open or not) of one round.
     */
    private record Run(int round, Mode mode, FixedRateHttpLoad.Result creates, FixedRateHttpLoad.Result gets,
        double wrkGetsPerSec, double consoleRequestsPerSec, double browserCpuPercent)
    {
    }

    /**
     * What is open during a run: nothing, the consoles' requests replayed without browsers ({@link ConsoleTraffic}:
     * the server's own cost), or the consoles in real browsers on the same cores ({@link ConsoleBrowsers}).
     */
    enum Mode
    {
        NONE("none"), TRAFFIC("requests only"), BROWSERS("browsers");

        final String label;

        Mode(final String label)
        {
            this.label = label;
        }
    }

    private final Options options;
    private final Path dir;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ConsoleCostBenchmark(final Options options, final Path dir)
    {
        this.options = options;
        this.dir = dir;
    }

    void run(final Report report) throws Exception
    {
        if (!ConsoleBrowsers.available())
        {
            throw new IllegalStateException(ConsoleBrowsers.CHROMIUM + " is missing: install Debian's chromium " +
                "(apt-get install -y chromium) or pass -Daxiom.chromium=PATH");
        }
        final Path script = Path.of(options.string("axiom", "bin/axiom"));
        final Path dataDir = Files.createDirectories(dir.resolve("server-data"));
        System.out.println("[console] starting " + script + " server --port 0 --data-dir " + dataDir);
        try (AxiomServerProcess server = new AxiomServerProcess(script, dataDir,
            options.string("server-java-opts", null), Duration.ofSeconds(options.integer("start-timeout-s", 180))))
        {
            measure(report, server);
        }
    }

    private void measure(final Report report, final AxiomServerProcess server) throws Exception
    {
        final String baseUrl = server.baseUrl;
        final URI uri = URI.create(baseUrl);
        final String host = uri.getHost() + ":" + uri.getPort();
        final int consoles = options.integer("consoles", 10);
        final int rounds = options.integer("rounds", 3);
        final int createRate = options.integer("create-rate", 5_000);
        final int getRate = options.integer("get-rate", 10_000);
        final double warmupS = options.decimal("warmup-s", 3);
        final double durationS = options.decimal("duration-s", 10);
        final double wrkS = options.decimal("wrk-duration-s", 10);
        final boolean wrk = WrkRun.available() && !options.string("wrk", "auto").equals("false");
        final FixedRateHttpLoad load = new FixedRateHttpLoad(new InetSocketAddress(uri.getHost(), uri.getPort()),
            options.integer("connections", 128), options.integer("timeout-ms", 5_000), false);
        final ProcessCpu cpu = new ProcessCpu(server.pid());

        final byte[] create = HttpBenchmark.post(host, "/api/v1/workflows", CREATE);
        System.out.println("[console] seeding: 1,000 creates/s for 2 s and one approval + 7-day timer workflow");
        final FixedRateHttpLoad.Result seed = load.run(1_000, 0, 2, i -> create, 201, null, cpu);
        final long first = seed.measured.minId;
        final long count = seed.measured.maxId - first + 1;
        final String approvalId = post(baseUrl + "/api/v1/workflows", APPROVAL).get("id").asText();
        final FixedRateHttpLoad.Requests gets = i ->
            ("GET /api/v1/workflows/" + (first + Math.floorMod(i * MIX, count)) + " HTTP/1.1\r\nHost: " + host +
            "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        final List<String> paths = new ArrayList<>();
        final String[] views = options.string("console-paths", "/#/charts,/#/workflows/{id},/#/tasks,/#/workflows")
            .split(",");
        for (int i = 0; i < consoles; i++)
        {
            paths.add(views[i % views.length].replace("{id}", approvalId));
        }

        final List<String> modes = List.of(options.string("modes", "none,traffic,browsers").split(","));
        final List<Run> runs = new ArrayList<>();
        for (int round = 0; round < rounds; round++)
        {
            final Mode[] order = round % 2 == 0 ? new Mode[]{Mode.NONE, Mode.TRAFFIC, Mode.BROWSERS} :
                new Mode[]{Mode.BROWSERS, Mode.TRAFFIC, Mode.NONE};
            for (final Mode mode : order)
            {
                if (!modes.contains(mode.name().toLowerCase(java.util.Locale.ROOT)))
                {
                    continue;
                }
                runs.add(variant(round, mode, paths, approvalId, load, cpu, create, gets, createRate, getRate,
                    warmupS, durationS, wrk, wrkS, baseUrl, first));
            }
        }
        write(report, runs, consoles, paths, createRate, getRate, warmupS, durationS, wrk, wrkS);
    }

    private Run variant(
        final int round,
        final Mode mode,
        final List<String> paths,
        final String workflowId,
        final FixedRateHttpLoad load,
        final ProcessCpu cpu,
        final byte[] create,
        final FixedRateHttpLoad.Requests gets,
        final int createRate,
        final int getRate,
        final double warmupS,
        final double durationS,
        final boolean wrk,
        final double wrkS,
        final String baseUrl,
        final long firstId) throws Exception
    {
        System.out.println("[console] round " + (round + 1) + ": " + (mode == Mode.NONE ? "no console open" :
            paths.size() + " consoles open, " + mode.label));
        final ConsoleBrowsers browsers = mode != Mode.BROWSERS ? null :
            ConsoleBrowsers.open(dir, paths.stream().map(p -> baseUrl + p).toList());
        final ConsoleTraffic traffic = mode != Mode.TRAFFIC ? null : ConsoleTraffic.open(baseUrl, paths, workflowId);
        try
        {
            if (mode != Mode.NONE)
            {
                Thread.sleep(3_000); // the pages' first loads and subscriptions are done before the window opens
            }
            final long startNs = System.nanoTime();
            final long consoleRequestsBefore = consoleRequests(baseUrl);
            final long browserCpuBefore = null == browsers ? 0 : browsers.cpuNs();
            final FixedRateHttpLoad.Result creates = load.run(createRate, warmupS, durationS, i -> create, 201, null,
                cpu);
            final FixedRateHttpLoad.Result reads = load.run(getRate, warmupS, durationS, gets, 200, null, cpu);
            double wrkRate = Double.NaN;
            if (wrk)
            {
                final WrkRun run = WrkRun.run("GET", List.of("-t2", "-c32", "-d" + (long)wrkS + "s", "--timeout",
                    "5s", baseUrl + "/api/v1/workflows/" + firstId), wrkS);
                wrkRate = run.requestsPerSec;
            }
            final double seconds = (System.nanoTime() - startNs) * 1e-9;
            final double consoleRate = (consoleRequests(baseUrl) - consoleRequestsBefore - 1) / seconds;
            final double browserCpu = null == browsers ? 0 : (browsers.cpuNs() - browserCpuBefore) / (seconds * 1e7);
            System.out.printf("[console]   creates p99 %s achieved %.0f/s; GETs p99 %s achieved %.0f/s; wrk GET " +
                "%.0f/s; console requests %.1f/s; browser CPU %.0f%%%n",
                Report.us(creates.measured.intendedToResponse.getValueAtPercentile(99)), creates.achievedRate(),
                Report.us(reads.measured.intendedToResponse.getValueAtPercentile(99)), reads.achievedRate(),
                wrkRate, consoleRate, browserCpu);
            if (null != traffic && traffic.failures() > 0)
            {
                System.out.println("[console]   " + traffic.failures() + " replayed console requests failed");
            }
            return new Run(round, mode, creates, reads, wrkRate, consoleRate, browserCpu);
        }
        finally
        {
            if (null != browsers)
            {
                browsers.close();
            }
            if (null != traffic)
            {
                traffic.close();
            }
        }
    }

    /**
     * @return requests the server counted on every route but the load's own (one of them: this read itself).
     */
    private long consoleRequests(final String baseUrl) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl +
            "/api/v1/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        long total = 0;
        for (final JsonNode r : json.readTree(response.body()).path("http").path("requests"))
        {
            if (!LOAD_ROUTES.contains(r.path("method").asText() + " " + r.path("route").asText()))
            {
                total += r.path("count").asLong();
            }
        }
        return total;
    }

    private JsonNode post(final String url, final String body) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201)
        {
            throw new IOException("POST " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return json.readTree(response.body());
    }

    private static void write(
        final Report report,
        final List<Run> runs,
        final int consoles,
        final List<String> paths,
        final int createRate,
        final int getRate,
        final double warmupS,
        final double durationS,
        final boolean wrk,
        final double wrkS)
    {
        report.line("Method (re-run with `bin/axiom perf console`): the real server (`bin/axiom server --port 0`, " +
            "fsync on, a fresh data dir) and, in each round, the same load twice: once with no console open and once " +
            "with **" + consoles + " web consoles open and live**, in two ways: **browsers**, one headless Debian " +
            "Chromium at nice 19 with a window per console (a visible page: a hidden console stops polling, as it " +
            "should), and **requests only**, the same consoles' requests and subscriptions replayed by the harness " +
            "without a browser (`ConsoleTraffic`: what the server itself pays, while the browsers also take CPU " +
            "from the 2 cores the server uses here, which they would not on an operator's desk). The consoles take " +
            "these pages in turn: " + String.join(", ", paths.stream().map(u -> "`" + u + "`").distinct().toList()) +
            ". The order of the three runs alternates per round (ABBA) so that drift of the shared machine falls on " +
            "every side. The load: fixed-rate creates at " +
            Report.num(createRate) + "/s and GETs at " + Report.num(getRate) + "/s (" + warmupS + " s warm-up, " +
            durationS + " s measured, latency from the intended send time, as in the HTTP section)" +
            (wrk ? ", then wrk's closed-loop GET throughput for " + wrkS + " s (2 threads, 32 connections)" : "") +
            ". The consoles' request rate is read from the server's own request counters (every route but the " +
            "load's); the browser's CPU is its whole process tree's. Browser, load generator and server share the " +
            "2 cores: the browser's CPU is taken from the server here, which it would not be on an operator's " +
            "machine.").blank();
        report.raw("| round | consoles open | creates achieved/s | create p50 | create p99 | GETs achieved/s | GET p50 | " +
            "GET p99 | wrk GET req/s | server CPU (creates) | console req/s | browser CPU |\n" +
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final Run r : runs)
        {
            report.raw("| " + (r.round + 1) + " | " + (r.mode == Mode.NONE ? "none" : consoles + ", " + r.mode.label) +
                " | " + Report.num(r.creates.achievedRate()) +
                " | " + Report.us(r.creates.measured.intendedToResponse.getValueAtPercentile(50)) + " | " +
                Report.us(r.creates.measured.intendedToResponse.getValueAtPercentile(99)) + " | " +
                Report.num(r.gets.achievedRate()) + " | " +
                Report.us(r.gets.measured.intendedToResponse.getValueAtPercentile(50)) + " | " +
                Report.us(r.gets.measured.intendedToResponse.getValueAtPercentile(99)) + " | " +
                (Double.isNaN(r.wrkGetsPerSec) ? "-" : Report.num(r.wrkGetsPerSec)) + " | " +
                HttpBenchmark.cpuPercent(r.creates.serverCpuNs, r.creates.windowS) + " | " +
                Report.dec(r.consoleRequestsPerSec, 1) + " | " + Report.dec(r.browserCpuPercent, 0) + "% |\n");
        }
        report.blank();
        for (final Mode mode : new Mode[]{Mode.TRAFFIC, Mode.BROWSERS})
        {
            report.line("- Medians over the rounds, " + consoles + " consoles open (" + mode.label + ") / none open: " +
                "create p50 **" + Report.dec(ratio(runs, mode, r -> p(r.creates, 50)), 3) + "**, GET p50 **" +
                Report.dec(ratio(runs, mode, r -> p(r.gets, 50)), 3) + "**, create p99 " +
                Report.dec(ratio(runs, mode, r -> p(r.creates, 99)), 3) + ", GET p99 " +
                Report.dec(ratio(runs, mode, r -> p(r.gets, 99)), 3) + ", achieved fixed-rate throughput " +
                Report.dec(ratio(runs, mode, r -> r.creates.achievedRate() + r.gets.achievedRate()), 3) +
                (wrk ? ", wrk GET throughput **" + Report.dec(ratio(runs, mode, r -> r.wrkGetsPerSec), 3) + "**" : "") +
                ".");
        }
        report.line("- Target: the figures with " + consoles + " consoles within 5% of none (throughput ratio >= " +
            "0.95, latency ratio <= 1.05).");
    }

    /**
     * @return the median over the rounds of (value with consoles) / (value without) in the same round.
     */
    private static double p(final FixedRateHttpLoad.Result result, final double percentile)
    {
        return result.measured.intendedToResponse.getValueAtPercentile(percentile);
    }

    private static double ratio(
        final List<Run> runs, final Mode mode, final java.util.function.ToDoubleFunction<Run> value)
    {
        final List<Double> ratios = new ArrayList<>();
        for (int round = 0; ; round++)
        {
            final int r = round;
            final Run none = runs.stream().filter(x -> x.round == r && x.mode == Mode.NONE).findFirst().orElse(null);
            final Run open = runs.stream().filter(x -> x.round == r && x.mode == mode).findFirst().orElse(null);
            if (null == none || null == open)
            {
                break;
            }
            ratios.add(value.applyAsDouble(open) / value.applyAsDouble(none));
        }
        final double[] sorted = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length == 0 ? Double.NaN : sorted.length % 2 == 1 ? sorted[sorted.length / 2] :
            (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
