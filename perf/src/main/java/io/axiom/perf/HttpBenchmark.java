package io.axiom.perf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * The HTTP gateway against the real server: create-to-201, GET and GraphQL latency at fixed request rates (open
 * loop, measured from each request's intended send time, see {@link FixedRateHttpLoad}), then {@code wrk} as an
 * independent, closed-loop cross-check.
 * <p>
 * By default it starts {@code bin/axiom server --port 0 --data-dir <tmp>} as a child process and stops it at the
 * end, so that one command does it all; {@code --url} measures a server that is already running instead.
 */
final class HttpBenchmark
{
    private static final String[] CREATE_BODIES = {
        "{\"name\":\"perf-http\",\"steps\":[\"RESERVE_STOCK\"],\"input\":{\"order_id\":1}}",
        "{\"name\":\"perf-http\",\"steps\":[\"RESERVE_STOCK\",\"CHARGE_CARD\"],\"input\":{\"order_id\":2}}",
        "{\"name\":\"perf-http\",\"steps\":[\"RESERVE_STOCK\",\"CHARGE_CARD\",\"SHIP\"],\"input\":{\"order_id\":3}}",
    };
    private static final String GRAPHQL_QUERY = "query($id: ID!) { workflow(id: $id) { id state steps } }";
    private static final byte[] GRAPHQL_ERRORS = "\"errors\"".getBytes(StandardCharsets.US_ASCII);
    private static final long MIX = 0x9E3779B97F4A7C15L;

    /**
     * One fixed-rate run and what it measured.
     */
    private record Row(String label, String kind, double rate, FixedRateHttpLoad.Result result)
    {
    }

    private final Options options;
    private final Path dir;
    private long minId = Long.MAX_VALUE;
    private long maxId = -1;

    HttpBenchmark(final Options options, final Path dir)
    {
        this.options = options;
        this.dir = dir;
    }

    void run(final Report report) throws Exception
    {
        final String url = options.string("url", null);
        AxiomServerProcess server = null;
        final String baseUrl;
        if (null == url)
        {
            final Path script = Path.of(options.string("axiom", "bin/axiom"));
            if (!Files.isExecutable(script))
            {
                throw new IllegalArgumentException(script.toAbsolutePath() + " is not executable: run from the " +
                    "repository root, pass --axiom PATH/bin/axiom, or --url of a running server");
            }
            final Path dataDir = Files.createDirectories(dir.resolve("server-data"));
            System.out.println("[http] starting " + script + " server --port 0 --data-dir " + dataDir);
            server = new AxiomServerProcess(script, dataDir, options.string("server-java-opts", null),
                Duration.ofSeconds(options.integer("start-timeout-s", 180)));
            baseUrl = server.baseUrl;
            System.out.println("[http] server pid " + server.pid() + " ready at " + baseUrl);
        }
        else
        {
            baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }
        try
        {
            measure(report, baseUrl, server);
        }
        finally
        {
            if (null != server)
            {
                System.out.println("[http] stopping the server (pid " + server.pid() + ")");
                server.close();
            }
        }
    }

    private void measure(final Report report, final String baseUrl, final AxiomServerProcess server)
        throws Exception
    {
        final URI uri = URI.create(baseUrl);
        final String host = uri.getHost() + ":" + uri.getPort();
        final InetSocketAddress address = new InetSocketAddress(uri.getHost(), uri.getPort());
        final int connections = options.integer("connections", 128);
        final int timeoutMs = options.integer("timeout-ms", 5_000);
        final double warmupS = options.decimal("warmup-s", 5);
        final double durationS = options.decimal("duration-s", 20);
        final boolean virtual = options.flag("virtual-threads", false);
        final FixedRateHttpLoad load = new FixedRateHttpLoad(address, connections, timeoutMs, virtual);
        final ProcessCpu cpu = new ProcessCpu(null == server ? -1 : server.pid());
        final List<Row> rows = new ArrayList<>();
        final long[] idleStart = cpu.sample();
        Thread.sleep(2_000);
        final long[] idleEnd = cpu.sample();
        final String idleCpu = idleStart[0] < 0 || idleEnd[0] < 0 ? "n/a" : cpuPercent(idleEnd[0] - idleStart[0], 2);
        System.out.println("[http] server CPU while idle (2 s): " + idleCpu);

        final byte[][] creates = new byte[CREATE_BODIES.length][];
        for (int i = 0; i < creates.length; i++)
        {
            creates[i] = post(host, "/api/v1/workflows", CREATE_BODIES[i]);
        }
        final FixedRateHttpLoad.Requests createRequests = index -> creates[(int)(index % creates.length)];
        for (final int rate : rates("create-rates", new int[]{1_000, 5_000, 10_000}))
        {
            rows.add(runOne(load, "POST /api/v1/workflows", "create", rate, warmupS, durationS, createRequests,
                201, null, cpu));
        }
        if (maxId < 0)
        {
            System.out.println("[http] seeding workflows for the reads: 1,000 creates/s for 2 s");
            track(load.run(1_000, 0, 2, createRequests, 201, null, cpu));
        }
        if (maxId < 0)
        {
            throw new IOException("no workflow was created: nothing to read");
        }
        final long first = minId;
        final long count = maxId - minId + 1;
        final FixedRateHttpLoad.Requests getRequests = index ->
            get(host, "/api/v1/workflows/" + (first + Math.floorMod(index * MIX, count)));
        for (final int rate : rates("get-rates", new int[]{10_000}))
        {
            rows.add(runOne(load, "GET /api/v1/workflows/{id}", "get", rate, warmupS, durationS, getRequests,
                200, null, cpu));
        }
        final FixedRateHttpLoad.Requests graphqlRequests = index -> post(host, "/graphql",
            "{\"query\":\"" + GRAPHQL_QUERY + "\",\"variables\":{\"id\":\"" +
            (first + Math.floorMod(index * MIX, count)) + "\"}}");
        for (final int rate : rates("graphql-rates", new int[]{2_000, 5_000}))
        {
            rows.add(runOne(load, "POST /graphql workflow(id)", "graphql", rate, warmupS, durationS,
                graphqlRequests, 200, c -> !c.bodyContains(GRAPHQL_ERRORS), cpu));
        }
        final List<WrkRun> wrk = runWrk(baseUrl, first);
        write(report, rows, wrk, server, connections, timeoutMs, warmupS, durationS, virtual, count, idleCpu);
        if (null != server)
        {
            System.out.println("[http] server log tail:\n" + server.logTail(5));
        }
    }

    private Row runOne(
        final FixedRateHttpLoad load,
        final String label,
        final String kind,
        final int rate,
        final double warmupS,
        final double durationS,
        final FixedRateHttpLoad.Requests requests,
        final int expectedStatus,
        final FixedRateHttpLoad.BodyCheck check,
        final ProcessCpu cpu) throws InterruptedException
    {
        System.out.println("[http] " + label + " at " + Report.num(rate) + "/s: warm-up " + warmupS + " s, measured " +
            durationS + " s");
        final FixedRateHttpLoad.Result r = load.run(rate, warmupS, durationS, requests, expectedStatus, check, cpu);
        track(r);
        final FixedRateHttpLoad.Stats m = r.measured;
        System.out.println("[http]   achieved " + Report.num(r.achievedRate()) + "/s, errors " + m.errors() +
            " (warm-up " + r.warmup.errors() + "), p50 " + Report.us(m.intendedToResponse.getValueAtPercentile(50)) +
            ", p99 " + Report.us(m.intendedToResponse.getValueAtPercentile(99)) + ", max lag " +
            Report.us(m.sendLag.getMaxValue()) + ", server CPU " + cpuPercent(r.serverCpuNs, r.windowS) +
            ", harness CPU " + cpuPercent(r.harnessCpuNs, r.windowS));
        Thread.sleep((long)(options.decimal("pause-s", 2) * 1000));
        return new Row(label, kind, rate, r);
    }

    /**
     * Request rates of one scenario; "none" (or 0) skips it.
     */
    private int[] rates(final String name, final int[] defaults)
    {
        if (options.string(name, "").equals("none"))
        {
            return new int[0];
        }
        return Arrays.stream(options.integers(name, defaults)).filter(r -> r > 0).toArray();
    }

    private void track(final FixedRateHttpLoad.Result r)
    {
        for (final FixedRateHttpLoad.Stats s : List.of(r.warmup, r.measured))
        {
            if (s.maxId >= 0)
            {
                minId = Math.min(minId, s.minId);
                maxId = Math.max(maxId, s.maxId);
            }
        }
    }

    private List<WrkRun> runWrk(final String baseUrl, final long id) throws IOException, InterruptedException
    {
        final List<WrkRun> runs = new ArrayList<>();
        final String mode = options.string("wrk", "auto");
        if (mode.equals("false") || (mode.equals("auto") && !WrkRun.available()))
        {
            System.out.println("[http] wrk " + (mode.equals("false") ? "skipped (--wrk false)" :
                "not on PATH: skipped"));
            return runs;
        }
        final double seconds = options.decimal("wrk-duration-s", 20);
        final List<String> common = List.of("-t" + options.integer("wrk-threads", 2),
            "-c" + options.integer("wrk-connections", 32), "-d" + (long)seconds + "s", "--timeout", "5s", "--latency");
        final List<String> getArgs = new ArrayList<>(common);
        getArgs.add(baseUrl + "/api/v1/workflows/" + id);
        System.out.println("[http] wrk " + String.join(" ", getArgs));
        runs.add(WrkRun.run("GET /api/v1/workflows/" + id, getArgs, seconds));
        Thread.sleep((long)(options.decimal("pause-s", 2) * 1000));

        final Path script = WrkRun.postScript(dir, "/api/v1/workflows", CREATE_BODIES[2]);
        final List<String> postArgs = new ArrayList<>(common);
        postArgs.add("-s");
        postArgs.add(script.toString());
        postArgs.add(baseUrl + "/api/v1/workflows");
        System.out.println("[http] wrk " + String.join(" ", postArgs));
        runs.add(WrkRun.run("POST /api/v1/workflows (3 steps)", postArgs, seconds));
        for (final WrkRun run : runs)
        {
            System.out.println(run.output);
        }
        return runs;
    }

    /**
     * @return the bytes of a keep-alive HTTP/1.1 POST of the JSON body, for {@link HttpConnection#exchange}.
     */
    static byte[] post(final String host, final String path, final String json)
    {
        final byte[] body = json.getBytes(StandardCharsets.UTF_8);
        final byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n" +
            "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        final byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }

    private static byte[] get(final String host, final String path)
    {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static String cpuPercent(final long cpuNs, final double windowS)
    {
        return cpuNs < 0 ? "n/a" : Report.dec(cpuNs / (windowS * 1e9) * 100, 0) + "%";
    }

    // --- the report -------------------------------------------------------------------------------------------

    private void write(
        final Report report,
        final List<Row> rows,
        final List<WrkRun> wrk,
        final AxiomServerProcess server,
        final int connections,
        final int timeoutMs,
        final double warmupS,
        final double durationS,
        final boolean virtual,
        final long readIds,
        final String idleCpu)
    {
        writeMethod(report, server, connections, timeoutMs, warmupS, durationS, virtual, readIds, idleCpu);
        report.raw("| scenario | target req/s | due in window | achieved req/s | OK | errors: status / body / " +
            "timeout / I/O | generator lag p99 / max | server CPU | harness CPU |\n" +
            "|---|---:|---:|---:|---:|---|---:|---:|---:|\n");
        for (final Row row : rows)
        {
            report.raw(tableRow(row));
        }
        report.blank().line("Latency from the intended send time to the last byte of the response (what a client " +
            "arriving at this rate sees):").blank().raw(Report.LATENCY_HEADER);
        for (final Row row : rows)
        {
            report.raw(Report.latencyRow(row.label() + " at " + Report.num(row.rate()) + "/s",
                row.result().measured.intendedToResponse));
        }
        report.blank().line("Of which service time, from the actual send to the last byte of the response (excludes " +
            "waiting for a free connection and the generator's own scheduling delay):").blank()
            .raw(Report.LATENCY_HEADER);
        for (final Row row : rows)
        {
            report.raw(Report.latencyRow(row.label() + " at " + Report.num(row.rate()) + "/s",
                row.result().measured.sendToResponse));
        }
        report.blank();
        writeTargets(report, rows, durationS);
        writeWrk(report, wrk);
    }

    private void writeMethod(
        final Report report,
        final AxiomServerProcess server,
        final int connections,
        final int timeoutMs,
        final double warmupS,
        final double durationS,
        final boolean virtual,
        final long readIds,
        final String idleCpu)
    {
        final String serverText = null == server ? "the server at `--url` (started by hand; its CPU is not sampled)" :
            "`" + String.join(" ", server.command).replace(dir.toString(), "<tmp>") + "`, started by the harness " +
            "as a child process" + (server.prebuiltClasspath ? " (on the gateway jar as built, via " +
            "`AXIOM_CLASSPATH`)" : "") + " and stopped with SIGTERM at the end; default configuration: fsync " +
            "**on** (a 201 leaves only after the group commit's write + fdatasync), Helidon SE 4, default JVM " +
            "flags of `bin/axiom`" + (options.has("server-java-opts") ? " plus `" +
            options.string("server-java-opts", "") + "`" : "") + "; a fresh data dir on the file system named above";
        report.line("Method (re-run with `bin/axiom perf http` from the repository root: it starts the server, runs " +
                "every scenario below and wrk when it is on the PATH, stops the server and replaces this section):")
            .line("- **Server**: " + serverText + ". Every scenario runs against this one server, in the order of " +
                "the " +
                "tables (creates at rising rates first, so the reads find " + Report.num(readIds) + " workflows).")
            .line("- **Generator** (`HttpBenchmark` / `FixedRateHttpLoad`): open loop at a fixed rate, request i " +
                "due at start + i/rate whatever happened before it. " + connections + " persistent HTTP/1.1 " +
                "keep-alive connections to 127.0.0.1, one request in flight on each (no pipelining), one " +
                (virtual ? "virtual" : "platform") + " thread per connection with a raw blocking socket " +
                "(TCP_NODELAY, read timeout " + timeoutMs + " ms). A free connection claims the next request, " +
                "parks until it is due (`LockSupport.parkNanos`, no spinning) and sends it; when all are busy the " +
                "next request goes out late and the delay counts. Latency is measured from the request's " +
                "**intended** send time to the last byte of its response (HdrHistogram, 3 digits), so stalls are " +
                "not hidden (no coordinated omission). Each rate: " + Report.dec(warmupS, 0) + " s warm-up (sent, " +
                "not recorded) then " + Report.dec(durationS, 0) + " s measured; the responses in flight at the end " +
                "are awaited.")
            .line("- **Requests**: create = `POST /api/v1/workflows` with one of three bodies in turn, 1 to 3 " +
                "string steps, e.g. `" + CREATE_BODIES[2] + "` (" + CREATE_BODIES[2].length() + " bytes; success " +
                "= 201); GET = `GET /api/v1/workflows/{id}` over the ids created, spread by a multiplicative hash " +
                "(success = 200); GraphQL = `POST /graphql` `{\"query\":\"" + GRAPHQL_QUERY + "\", \"variables\":" +
                "{\"id\": ...}}` over the same ids (success = 200 without `\"errors\"` in the body).")
            .line("- **Columns**: due in window = requests whose intended time falls in the measured window; " +
                "achieved = successful responses completed inside the window / window length; errors = requests due " +
                "in the window answered with another status, a GraphQL error, a read timeout or an I/O error " +
                "(reset, closed); generator lag = actual send - intended send (waiting for a free connection plus " +
                "the generator thread's wake-up); CPU = CPU time of the server process / of the harness JVM during " +
                "the window, in % of one core.")
            .line("- **Shared machine**: the server, the generator (and wrk) share the " +
                Runtime.getRuntime().availableProcessors() + " cores; at the higher rates the generator's own CPU " +
                "is taken from the server, so these are figures of the pair, not of the server alone. The server " +
                "used " + idleCpu + " of a core while idle (2 s before the first run).")
            .blank();
    }

    private static String tableRow(final Row row)
    {
        final FixedRateHttpLoad.Result r = row.result();
        final FixedRateHttpLoad.Stats m = r.measured;
        long status = 0;
        for (final long n : m.unexpectedStatus.values())
        {
            status += n;
        }
        final String statusText = m.unexpectedStatus.isEmpty() ? "0" : status + " " + m.unexpectedStatus;
        final String warm = r.warmup.errors() > 0 ? " (+" + r.warmup.errors() + " in warm-up)" : "";
        return "| " + row.label() + " | " + Report.num(row.rate()) + " | " + Report.num(m.sent) + " | **" +
            Report.num(r.achievedRate()) + "** | " + Report.num(m.ok) + " | **" + m.errors() + "**: " + statusText +
            " / " + m.bodyErrors + " / " + m.timeouts + " / " + m.ioErrors + warm + " | " +
            Report.us(m.sendLag.getValueAtPercentile(99)) + " / " + Report.us(m.sendLag.getMaxValue()) + " | " +
            cpuPercent(r.serverCpuNs, r.windowS) + " | " + cpuPercent(r.harnessCpuNs, r.windowS) + " |\n";
    }

    private static void writeTargets(final Report report, final List<Row> rows, final double durationS)
    {
        final StringBuilder creates = new StringBuilder();
        for (final Row row : rows)
        {
            if (row.kind().equals("create"))
            {
                final Histogram h = row.result().measured.intendedToResponse;
                creates.append(creates.length() == 0 ? "" : "; ").append(Report.num(row.rate())).append("/s: p50 ")
                    .append(Report.us(h.getValueAtPercentile(50))).append(", p99 ")
                    .append(Report.us(h.getValueAtPercentile(99)));
            }
        }
        if (creates.length() > 0)
        {
            report.line("- Create-to-201 (from intended send): " + creates + ".");
        }
        for (final Row row : rows)
        {
            final FixedRateHttpLoad.Result r = row.result();
            final Histogram h = r.measured.intendedToResponse;
            if (row.kind().equals("create") && row.rate() == 5_000)
            {
                final boolean met = h.getValueAtPercentile(99) < 5_000_000 && r.measured.errors() == 0;
                report.line("- Target create p99 < 5 ms at 5,000 creates/s: p99 " +
                    Report.us(h.getValueAtPercentile(99)) + ", " + r.measured.errors() + " errors, achieved " +
                    Report.num(r.achievedRate()) + "/s → **" + (met ? "met" : "not met") + "**.");
            }
            if (row.kind().equals("get") && row.rate() == 10_000)
            {
                final boolean rateHeld = r.achievedRate() >= 0.99 * row.rate();
                final boolean met = r.measured.errors() == 0 && rateHeld && durationS >= 20;
                report.line("- Target zero errors at 10,000 GETs/s for 20 s: " + r.measured.errors() + " errors in " +
                    Report.dec(durationS, 0) + " s, achieved " + Report.num(r.achievedRate()) + "/s" +
                    (rateHeld ? "" : " (below the 10,000/s asked: the rate itself was not held)") + " → **" +
                    (met ? "met" : "not met") + "**.");
            }
            if (row.kind().equals("graphql"))
            {
                report.line("- GraphQL `workflow(id)` at " + Report.num(row.rate()) + "/s: p50 " +
                    Report.us(h.getValueAtPercentile(50)) + ", p99 " + Report.us(h.getValueAtPercentile(99)) +
                    ", achieved " + Report.num(r.achievedRate()) + "/s, " + r.measured.errors() + " errors.");
            }
        }
        report.blank();
    }

    private static void writeWrk(final Report report, final List<WrkRun> runs)
    {
        if (runs.isEmpty())
        {
            return;
        }
        report.line("### Cross-check with wrk").blank()
            .line("`wrk` (Debian package, " + "closed loop) against the same server after the runs above: each of " +
                "its connections sends the next request as soon as the previous answer arrives, so it measures the " +
                "highest throughput of server + client on these cores, and its latency is service time under that " +
                "saturation (not fixed-rate, and subject to coordinated omission; not comparable with the tables " +
                "above). GET reads one workflow; POST creates with the 3-step body above from a Lua script " +
                "(`wrk.method = 'POST'`, `wrk.body`, `Content-Type: application/json`). wrk counts any 2xx as " +
                "success.")
            .blank()
            .raw("| wrk run | requests | Requests/sec | p50 | p75 | p90 | p99 | Non-2xx or 3xx | socket errors |\n" +
                "|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (final WrkRun run : runs)
        {
            report.raw("| " + run.label + " | " + Report.num(run.requests) + " in " + run.elapsed + " | **" +
                Report.num(run.requestsPerSec) + "** | " + String.join(" | ", run.percentiles) + " | " + run.non2xx +
                " | " + run.socketErrors + (run.exitCode == 0 ? "" : " (wrk exit " + run.exitCode + ")") + " |\n");
        }
        report.blank().line("wrk's output:").blank().line("```");
        for (final WrkRun run : runs)
        {
            report.line("$ " + String.join(" ", run.command).replaceAll("127\\.0\\.0\\.1:[0-9]+", "127.0.0.1:PORT")
                .replaceAll("-s \\S+/wrk-post.lua", "-s wrk-post.lua"));
            final String output = run.output.replaceAll("127\\.0\\.0\\.1:[0-9]+", "127.0.0.1:PORT");
            report.raw(output.endsWith("\n") ? output : output + "\n");
        }
        report.line("```").line("(`wrk-post.lua`: `wrk.method = 'POST'; wrk.path = '/api/v1/workflows'; wrk.body = " +
            "'" + CREATE_BODIES[2] + "'; wrk.headers['Content-Type'] = 'application/json'`.)").blank();
    }
}
