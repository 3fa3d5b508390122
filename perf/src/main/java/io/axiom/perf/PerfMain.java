package io.axiom.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The perf harness: {@code PerfMain
 * <journal|core|recovery|startup|memory|heap|http|console|workers|verify|snapshot|cluster|all>
 * [--option value ...]}
 * ({@code all} is the four engine suites; {@code http} starts the real server and is run on its own).
 * <p>
 * Each benchmark prints its method, the machine and HdrHistogram percentiles, and replaces its own section of
 * BENCHMARKS.md (see {@link Report}). Speed is measured here, never asserted in a test.
 */
public final class PerfMain
{
    private static final List<String> SUBCOMMANDS =
        List.of("journal", "core", "recovery", "startup", "memory", "heap", "http", "console", "workers", "verify",
            "snapshot", "cluster", "all");

    private PerfMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length == 0 || !SUBCOMMANDS.contains(args[0]))
        {
            usage();
            System.exit(args.length == 0 || args[0].equals("--help") || args[0].equals("-h") ? 0 : 2);
            return;
        }
        final String sub = args[0];
        final Options options;
        try
        {
            options = Options.parse(args, 1);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("perf: " + ex.getMessage());
            usage();
            System.exit(2);
            return;
        }

        final Path userDir = options.path("data-dir");
        final Path base = null != userDir ? Files.createDirectories(userDir) :
            Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "axiom-perf-");
        final Path workDir = Files.createTempDirectory(base, "run-");
        final Path benchmarksFile = options.flag("no-write", false) ? null :
            Path.of(options.string("benchmarks-file", "BENCHMARKS.md"));
        try
        {
            final String machine = Machine.describe(workDir);
            System.out.println("[perf] " + sub + " on " + machine + "; data in " + workDir);
            if (sub.equals("journal") || sub.equals("all"))
            {
                final Report report = header("journal", "Journal append vs raw FileChannel", machine);
                new JournalBenchmark(options, workDir).run(report);
                report.writeTo(benchmarksFile);
            }
            if (sub.equals("core") || sub.equals("all"))
            {
                final Report report = header("core", "Engine commands/s and command-to-reply latency (fsync on)",
                    machine);
                new CoreBenchmark(options, workDir).run(report);
                report.writeTo(benchmarksFile);
            }
            if (sub.equals("recovery") || sub.equals("all"))
            {
                final Report report = header("recovery", "Recovery of a 1,000,000-event log", machine);
                new RecoveryBenchmark(options, workDir).run(report);
                report.writeTo(benchmarksFile);
            }
            if (sub.equals("startup"))
            {
                final Report report = header("startup", "Start-up with 10,000,000 events of history", machine);
                new StartupBenchmark(options, null != userDir ? userDir : workDir).run(report);
                report.writeTo(benchmarksFile);
            }
            if (sub.equals("memory") || sub.equals("all"))
            {
                final Report report = header("memory", "Heap per completed 4-step workflow", machine);
                new MemoryBenchmark(options, workDir).run(report);
                report.writeTo(benchmarksFile);
            }
            if (sub.equals("heap"))
            {
                final Report report = header("heap", "A bounded heap: 5,000,000 workflows with unique names complete",
                    machine);
                new HeapBenchmark(options, workDir).run(report);
                report.writeTo(benchmarksFile);
            }
            if (sub.equals("workers"))
            {
                final Report report = header("workers", "Workers over Aeron: four-step workflows, fsync on", machine);
                new WorkersBenchmark(options, workDir).run(report);
                report.writeTo(benchmarksFile);
            }
            if (sub.equals("cluster"))
            {
                final Report report = header("cluster", "Replicated on Aeron Cluster", machine);
                new ClusterBenchmark(options, workDir).run(report);
                report.writeTo(benchmarksFile);
            }
            if (sub.equals("verify"))
            {
                final Report report = header("verify", "Live verify: processor hold and command latency while it runs",
                    machine);
                new VerifyBenchmark(options, workDir).run(report);
                report.writeTo(benchmarksFile);
            }
            if (sub.equals("snapshot"))
            {
                final Report report = header("snapshot",
                    "Snapshot of N live workflows while commands flow: time, size, command latency, longest pause",
                    machine);
                new SnapshotBenchmark(options, workDir).run(report);
                report.writeTo(benchmarksFile);
            }
            if (sub.equals("console"))
            {
                final Report report = header("console", "Web consoles open: what they cost the engine", machine);
                new ConsoleCostBenchmark(options, workDir).run(report);
                report.writeTo(benchmarksFile);
            }
            if (sub.equals("http"))
            {
                final Report report = header("http",
                    "HTTP gateway: create-to-201, GET and GraphQL latency at fixed request rates", machine);
                new HttpBenchmark(options, workDir).run(report);
                report.writeTo(benchmarksFile);
            }
        }
        finally
        {
            JournalBenchmark.deleteTree(workDir);
            if (null == userDir)
            {
                JournalBenchmark.deleteTree(base);
            }
        }
    }

    private static Report header(final String name, final String title, final String machine)
    {
        final Report report = new Report(name, title);
        report.line("Measured " + Machine.now() + " on " + machine + ". Command: `PerfMain " + name + "`" +
            " (JVM flags: " + String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean()
            .getInputArguments()) + ").").blank();
        return report;
    }

    private static void usage()
    {
        System.out.println(String.join("\n",
            "usage: PerfMain <journal|core|recovery|startup|memory|heap|http|console|workers|verify|snapshot|cluster|all> " +
                "[options]",
            "       (all = the four engine suites)",
            "",
            "common:   --data-dir DIR        where files go (default: a temp dir under java.io.tmpdir, deleted after)",
            "          --benchmarks-file F   section of F is replaced (default BENCHMARKS.md); --no-write to only print",
            "          --duration-s S        measured seconds per run/trial   --warmup-s S   warm-up, not counted",
            "journal:  --record-sizes 128,1024  payload bytes   --batch-sizes 64,1024  records per fsync",
            "          --rounds 2            alternating raw/journal trials   --segment-size BYTES (64 MiB)",
            "          --recycle true        reuse retired segments instead of zero-filling (pool + retire)",
            "core:     --producers 2  --window 1024  --steps 1  --step-type approval|task  --rate 50000 (0 = skip)",
            "          --rate-window N  --probe-s 5 (single fsync probe before and after)  --max-park-ns 50000",
            "          --ring-size N  --batch-limit N  (engine settings; defaults are the engine's)",
            "recovery: --workflows 200000  --steps 1  --trials 3  --build-fsync false",
            "startup:  --events 10000000  --steps 4  --snapshot-interval-events 1000000  --trials 5",
            "          --modes shutdown,periodic,full  (the log is built once and kept in --data-dir DIR/startup-...,",
            "          reused by later runs)",
            "memory:   --workflows 200000  --steps 4  --build-fsync false  --unique-names true",
            "heap:     --workflows 5000000  --every 500000  --retention-ms 1000  --off-workflows N  --steps 1",
            "          --keys false (true: every create with an Idempotency-Key of its own)",
            "verify:   --workflows 100000  --trials 10  --probe-rate 200 (creates/s while verifying)  --warmup-s 5",
            "          --baseline-s 10",
            "snapshot: --workflows 1000000 (live)  --rate 20000 (commands/s, open loop)  --producers 2  --window 1024",
            "          --warmup-s 5  --before-s 5  --after-s 2  --sample-s 180  (5M workflows: give the JVM -Xmx8g)",
            "          --slice N  (workflows a capture slice; default the engine's)",
            "workers:  --workers 2  --capacity 64  --window 4096 (workflows in flight, saturated)  --rate 1000",
            "          --duration-s 10  --warmup-s 3  --probe-s 5  (SDK workers over UDP loopback, fsync on)",
            "          --http-workers 8  --http-max-tasks 32  --http-rate 500  (then workers over the HTTP API)",
            "          --max-park-us 1000  (longest idle park of the endpoint and the workers' pollers)",
            "cluster:  --axiom bin/axiom  --server-java-opts '...'  --members 3  --phases throughput,failover",
            "          --workers 3  --capacity 64  --connections 128 (HTTP creates)  --window 4096  --warmup-s 30",
            "          --duration-s 15  --idle-s 30  --profile-s 15 (a JFR run; 0 = none)  --jfr-dir DIR  --rounds 1",
            "          --kills 20  --settle-ms 1000  --seed N  (servers are child processes; SIGKILL of the leader)",
            "http:     --axiom bin/axiom (server started as a child: --port 0, data in the temp dir) | --url URL",
            "          --server-java-opts '...' (its AXIOM_JAVA_OPTS)  --connections 128  --timeout-ms 5000",
            "          --create-rates 1000,5000,10000  --get-rates 10000  --graphql-rates 2000,5000  (req/s; none)",
            "          --warmup-s 5  --duration-s 20  --pause-s 2  --virtual-threads false",
            "          --wrk auto|true|false  --wrk-duration-s 20  --wrk-threads 2  --wrk-connections 32",
            "console:  --consoles 10 (headless Chromium tabs)  --rounds 3 (ABBA)  --create-rate 5000  --get-rate 10000",
            "          --warmup-s 3  --duration-s 10  --wrk-duration-s 10  --modes none,traffic,browsers",
            "          --console-paths '/#/charts,/#/workflows/{id},/#/tasks,/#/workflows' (tabs take them in turn)"));
    }
}
