package io.axiom.gateway.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.axiom.core.Engine;
import io.axiom.core.EngineCounters;
import io.axiom.gateway.http.Gateway;

/**
 * One reading of every figure, rendered as the JSON document of {@code GET /api/v1/metrics} or as the Prometheus
 * text of {@code GET /api/v1/metrics/prometheus}. Both renderings of one report show the same numbers.
 * <p>
 * Task figures (queued, leased, dispatched, completed, failed attempts, retries, rejections by reason), connected
 * workers and lease expiries are read from the engine's counters and the worker endpoint's; they are soft state and
 * start again from the log's queues after a restart (the counters of a run start at 0).
 */
public final class MetricsReport
{
    /** Workflow states in the order shown. */
    public static final List<String> STATES = List.copyOf(Gateway.STATES.stream().sorted().toList());

    private final boolean ready;
    private final boolean failed;
    private final long[] stateCounts;
    private final long workflowsCreated;
    private final long eventsAppended;
    private final long journalRecords;
    private final long journalPosition;
    private final long fsyncs;
    private final long fsyncNanosTotal;
    private final long fsyncNanosMax;
    private final long batches;
    private final long commands;
    private final long maxBatchSize;
    private final long ringSize;
    private final long ringOccupancy;
    private final long tasksQueued;
    private final long timers;
    private final long recoveryNanos;
    private final long recoveredRecords;
    private final long recoveredFromPosition;
    private final long snapshots;
    private final long snapshotFailures;
    private final long readFailures;
    private final long tasksLeased;
    private final long workersConnected;
    private final long tasksDispatched;
    private final long completionsAccepted;
    private final long failuresAccepted;
    private final long leaseExpiries;
    private final long attemptTimeouts;
    private final long retries;
    private final Map<String, Long> rejected = new LinkedHashMap<>();
    private final long lostReplies;
    private final long recoveryTruncatedBytes;
    private final long recoveryTruncatedRecords;
    private final long recoveryRepairCut;
    private final long recoverySnapshotsSetAside;
    private final List<String> recoveryNotes;
    private final String storageStatus;
    private final String storageDetail;
    private final long storageUsableBytes;
    private final long sinkErrors;
    private final long lastSnapshotPosition;
    private final long lastSnapshotBytes;
    private final long lastSnapshotNanos;
    private final EngineHistograms.Snapshot histograms;
    private final Map<HttpMetrics.RequestKey, Long> requests;
    private final Map<HttpMetrics.RejectionKey, Long> rejections;
    private final Map<String, Quantiles> durations;
    private final JvmMetrics jvm;

    /**
     * Read every figure now.
     *
     * @param engine the engine.
     * @param http   the gateway's HTTP figures.
     */
    public MetricsReport(final Engine engine, final HttpMetrics http)
    {
        final EngineCounters c = engine.counters();
        ready = engine.isReady();
        failed = null != engine.failure();
        stateCounts = new long[STATES.size()];
        for (int i = 0; i < STATES.size(); i++)
        {
            stateCounts[i] = c.workflowsInState(STATES.get(i));
        }
        workflowsCreated = c.workflowCount();
        eventsAppended = c.eventsReleased();
        journalRecords = c.eventCount();
        journalPosition = c.journalPosition();
        fsyncs = c.fsyncCount();
        fsyncNanosTotal = c.fsyncNanosTotal();
        fsyncNanosMax = c.fsyncNanosMax();
        batches = c.batchCount();
        commands = c.commandCount();
        maxBatchSize = c.maxBatchSize();
        ringSize = engine.context().ringSize();
        ringOccupancy = c.ringOccupancy();
        tasksQueued = c.tasksQueued();
        timers = c.timerCount();
        recoveryNanos = c.recoveryNanos();
        recoveredRecords = c.recoveredRecords();
        recoveredFromPosition = c.recoveredFromPosition();
        snapshots = c.snapshotCount();
        snapshotFailures = c.snapshotFailures();
        readFailures = c.readFailures();
        tasksLeased = c.tasksLeased();
        workersConnected = c.workersConnected();
        tasksDispatched = c.tasksDispatched();
        completionsAccepted = c.completionsAccepted();
        failuresAccepted = c.failuresAccepted();
        leaseExpiries = c.leaseExpiries();
        attemptTimeouts = c.attemptTimeouts();
        retries = c.retries();
        for (final String reason : List.of("STALE_FENCING_TOKEN", "ALREADY_COMMITTED", "UNKNOWN_TASK", "MALFORMED",
            "NO_ROOM"))
        {
            rejected.put(reason, c.rejections(reason));
        }
        lostReplies = c.lostReplies();
        final io.axiom.journal.RecoveryReport recovery = c.recoveryReport();
        recoveryTruncatedBytes = null == recovery || !recovery.truncated() ? 0 : recovery.truncatedBytes();
        recoveryTruncatedRecords = null == recovery ? 0 : recovery.truncatedRecords();
        recoveryRepairCut = null != recovery && recovery.repairCut() ? 1 : 0;
        recoverySnapshotsSetAside = null == recovery ? 0 : recovery.snapshotsSetAside();
        recoveryNotes = null == recovery ? List.of() : recovery.notes();
        final io.axiom.journal.StorageState storage = c.storageState();
        storageStatus = null == storage ? "UNKNOWN" : storage.status().name();
        storageDetail = null == storage ? null : storage.detail();
        storageUsableBytes = null == storage ? -1 : storage.usableBytes();
        sinkErrors = c.sinkErrors();
        lastSnapshotPosition = c.lastSnapshotPosition();
        lastSnapshotBytes = c.lastSnapshotBytes();
        lastSnapshotNanos = c.lastSnapshotNanos();
        histograms = EngineHistograms.of(c).snapshot();
        requests = http.requests();
        rejections = http.rejections();
        durations = http.durations();
        jvm = JvmMetrics.read();
    }

    /**
     * @return the JSON document's members, in order; NaN figures are null.
     */
    public Map<String, Object> json()
    {
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("ready", ready);
        root.put("failed", failed);

        final Map<String, Object> byState = new LinkedHashMap<>();
        for (int i = 0; i < STATES.size(); i++)
        {
            byState.put(STATES.get(i), stateCounts[i]);
        }
        root.put("workflows", map("created", workflowsCreated, "by_state", byState));
        root.put("events", map("appended", eventsAppended, "journal_records", journalRecords,
            "journal_position_bytes", journalPosition));
        root.put("fsync", map("count", fsyncs, "seconds_total", fsyncNanosTotal * 1e-9,
            "max_seconds", fsyncNanosMax * 1e-9, "latency_seconds", quantiles(histograms.fsyncSeconds())));
        root.put("batches", map("count", batches, "commands", commands, "max_size", maxBatchSize,
            "size", quantiles(histograms.batchSize())));
        root.put("commands", map("latency_seconds", quantiles(histograms.commandSeconds())));
        root.put("ring", map("size", ringSize, "occupancy", ringOccupancy));
        root.put("tasks", map("queued", tasksQueued, "leased", tasksLeased, "dispatched", tasksDispatched,
            "completed", completionsAccepted, "failed_attempts", failuresAccepted, "retries", retries,
            "rejected", rejected));
        root.put("workers", map("connected", workersConnected));
        root.put("leases", map("expired", leaseExpiries, "timed_out", attemptTimeouts));
        root.put("timers", map("pending", timers));
        root.put("recovery", map("seconds", recoveryNanos * 1e-9, "records", recoveredRecords,
            "from_position_bytes", recoveredFromPosition, "truncated_bytes", recoveryTruncatedBytes,
            "truncated_records", recoveryTruncatedRecords, "repair_cut", recoveryRepairCut == 1,
            "snapshots_set_aside", recoverySnapshotsSetAside, "notes", recoveryNotes));
        root.put("storage", map("status", storageStatus, "detail", storageDetail,
            "usable_bytes", storageUsableBytes));
        root.put("snapshots", map("count", snapshots, "last_position_bytes", lastSnapshotPosition,
            "last_size_bytes", lastSnapshotBytes, "last_seconds", lastSnapshotNanos * 1e-9));

        final List<Object> requestList = new ArrayList<>();
        requests.forEach((k, v) -> requestList.add(map("method", k.method(), "route", k.route(),
            "status", k.status(), "count", v)));
        final List<Object> rejectionList = new ArrayList<>();
        rejections.forEach((k, v) -> rejectionList.add(map("code", k.code(), "status", k.status(), "count", v)));
        final Map<String, Object> durationMap = new LinkedHashMap<>();
        durations.forEach((route, q) -> durationMap.put(route, quantiles(q)));
        root.put("http", map("requests", requestList, "rejections", rejectionList,
            "duration_seconds", durationMap));

        final List<Object> gcs = new ArrayList<>();
        for (final JvmMetrics.Gc gc : jvm.gcs())
        {
            gcs.add(map("name", gc.name(), "collections", gc.collections(), "seconds", gc.timeMs() / 1000.0));
        }
        root.put("jvm", map(
            "heap_used_bytes", jvm.heapUsed(),
            "heap_committed_bytes", jvm.heapCommitted(),
            "heap_max_bytes", jvm.heapMax() < 0 ? null : jvm.heapMax(),
            "non_heap_used_bytes", jvm.nonHeapUsed(),
            "non_heap_committed_bytes", jvm.nonHeapCommitted(),
            "gc", gcs,
            "threads", jvm.threads(),
            "daemon_threads", jvm.daemonThreads(),
            "peak_threads", jvm.peakThreads(),
            "uptime_seconds", jvm.uptimeMs() / 1000.0,
            "process_cpu_seconds", jvm.processCpuNanos() < 0 ? null : jvm.processCpuNanos() * 1e-9,
            "open_fds", jvm.openFds() < 0 ? null : jvm.openFds(),
            "available_processors", jvm.availableCpus(),
            "java_version", jvm.javaVersion()));
        return root;
    }

    /**
     * @return the Prometheus text exposition (format 0.0.4).
     */
    public String prometheus()
    {
        final PrometheusWriter w = new PrometheusWriter();
        w.family("axiom_ready", "gauge", "1 once the engine has recovered its journal and serves commands, else 0")
            .sample("axiom_ready", ready ? 1 : 0);
        w.family("axiom_engine_failed", "gauge", "1 when the engine stopped after a fatal error, else 0")
            .sample("axiom_engine_failed", failed ? 1 : 0);
        w.family("axiom_workflows", "gauge", "Workflows by current state");
        for (int i = 0; i < STATES.size(); i++)
        {
            w.sample("axiom_workflows", stateCounts[i], "state", STATES.get(i));
        }
        w.family("axiom_workflows_created_total", "counter",
            "Workflows ever created, including those recovered from the journal")
            .sample("axiom_workflows_created_total", workflowsCreated);
        w.family("axiom_events_appended_total", "counter",
            "Events appended to the journal and made durable since this process started")
            .sample("axiom_events_appended_total", eventsAppended);
        w.family("axiom_journal_records", "gauge", "Records in the journal")
            .sample("axiom_journal_records", journalRecords);
        w.family("axiom_journal_position_bytes", "gauge", "Byte position where the next journal record goes")
            .sample("axiom_journal_position_bytes", journalPosition);
        w.family("axiom_fsyncs_total", "counter", "Journal fsyncs (one per group commit) since start")
            .sample("axiom_fsyncs_total", fsyncs);
        w.family("axiom_fsync_duration_seconds", "summary",
            "Time to fsync one group commit, since start (HdrHistogram, 3 significant digits)");
        w.summarySamples("axiom_fsync_duration_seconds", histograms.fsyncSeconds(), fsyncNanosTotal * 1e-9, fsyncs);
        w.family("axiom_fsync_duration_max_seconds", "gauge", "Longest fsync since start")
            .sample("axiom_fsync_duration_max_seconds", fsyncNanosMax * 1e-9);
        w.family("axiom_batch_size", "summary", "Commands per group commit, since start")
            .summarySamples("axiom_batch_size", histograms.batchSize(), commands, batches);
        w.family("axiom_batch_size_max", "gauge", "Largest group commit since start, in commands")
            .sample("axiom_batch_size_max", maxBatchSize);
        w.summary("axiom_command_duration_seconds",
            "Time from a command's publication on the ring to its reply after fsync, since start",
            histograms.commandSeconds());
        w.family("axiom_ring_size", "gauge", "Slots in the command ring")
            .sample("axiom_ring_size", ringSize);
        w.family("axiom_ring_occupancy", "gauge", "Commands waiting in the ring at the processor's last duty cycle")
            .sample("axiom_ring_occupancy", ringOccupancy);
        w.family("axiom_tasks_queued", "gauge", "Task steps waiting for a worker")
            .sample("axiom_tasks_queued", tasksQueued);
        w.family("axiom_tasks_leased", "gauge", "Task steps leased to a worker")
            .sample("axiom_tasks_leased", tasksLeased);
        w.family("axiom_workers_connected", "gauge", "Workers connected (Aeron sessions and HTTP fetches waiting)")
            .sample("axiom_workers_connected", workersConnected);
        w.family("axiom_lease_expiries_total", "counter", "Task leases that expired without a result")
            .sample("axiom_lease_expiries_total", leaseExpiries);
        w.family("axiom_attempt_timeouts_total", "counter", "Task attempts that ran past their deadline")
            .sample("axiom_attempt_timeouts_total", attemptTimeouts);
        w.family("axiom_tasks_dispatched_total", "counter", "Tasks dealt to workers (one StepLeased each)")
            .sample("axiom_tasks_dispatched_total", tasksDispatched);
        w.family("axiom_task_completions_total", "counter", "Worker completions that committed a step")
            .sample("axiom_task_completions_total", completionsAccepted);
        w.family("axiom_task_failures_total", "counter", "Attempts a worker reported failed")
            .sample("axiom_task_failures_total", failuresAccepted);
        w.family("axiom_task_retries_total", "counter", "Failed attempts retried by their step's policy")
            .sample("axiom_task_retries_total", retries);
        w.family("axiom_task_rejections_total", "counter",
            "Worker completions and failures rejected, by reason (nothing was written)");
        rejected.forEach((reason, count) -> w.sample("axiom_task_rejections_total", count, "reason", reason));
        w.family("axiom_timers_pending", "gauge", "Timers scheduled and not yet fired")
            .sample("axiom_timers_pending", timers);
        w.family("axiom_recovery_duration_seconds", "gauge", "Time the last start-up spent recovering the journal")
            .sample("axiom_recovery_duration_seconds", recoveryNanos * 1e-9);
        w.family("axiom_recovered_records", "gauge", "Journal records replayed at start-up (after the snapshot)")
            .sample("axiom_recovered_records", recoveredRecords);
        w.family("axiom_recovered_from_position_bytes", "gauge",
            "Journal position replay started from: 0, or the position of the snapshot loaded")
            .sample("axiom_recovered_from_position_bytes", recoveredFromPosition);
        w.family("axiom_read_failures_total", "counter",
            "Reads the engine could not answer (500 READ_FAILED, logged); nothing changed and it went on")
            .sample("axiom_read_failures_total", readFailures);
        w.family("axiom_replies_lost_total", "counter",
            "Replies dropped because the engine had no memory even for a problem (their callers time out)")
            .sample("axiom_replies_lost_total", lostReplies);
        w.family("axiom_recovery_truncated_bytes", "gauge",
            "Bytes the last start-up cut from the journal's tail (a torn write or an incomplete command; with " +
            "--repair, corruption)")
            .sample("axiom_recovery_truncated_bytes", recoveryTruncatedBytes);
        w.family("axiom_recovery_truncated_records", "gauge",
            "Valid records of an incomplete command (or, with --repair, of a broken one) the last start-up dropped")
            .sample("axiom_recovery_truncated_records", recoveryTruncatedRecords);
        w.family("axiom_recovery_repair_cut", "gauge",
            "1 when the last start-up with --repair removed records that may have been acknowledged, else 0")
            .sample("axiom_recovery_repair_cut", recoveryRepairCut);
        w.family("axiom_recovery_snapshots_set_aside", "gauge",
            "Snapshots the last start-up set aside (damaged, past a repair cut, or not of this log)")
            .sample("axiom_recovery_snapshots_set_aside", recoverySnapshotsSetAside);
        w.family("axiom_recovery_notes", "gauge", "Decisions the last start-up announced (GET /ready lists them)")
            .sample("axiom_recovery_notes", recoveryNotes.size());
        w.family("axiom_storage_status", "gauge",
            "Room for the journal in the data directory: 0 OK, 1 LOW (less than two segments free), 2 FULL " +
            "(writes refused until space is freed)")
            .sample("axiom_storage_status", switch (storageStatus)
            {
                case "LOW" -> 1;
                case "FULL" -> 2;
                default -> 0;
            });
        w.family("axiom_data_dir_free_bytes", "gauge", "Usable bytes in the data directory's file system, as last " +
            "checked by the journal (-1 before it was)")
            .sample("axiom_data_dir_free_bytes", storageUsableBytes);
        w.family("axiom_snapshots_total", "counter", "State snapshots written since start")
            .sample("axiom_snapshots_total", snapshots);
        w.family("axiom_snapshot_failures_total", "counter",
            "State snapshots that could not be written (recovery then starts from an older one or the log)")
            .sample("axiom_snapshot_failures_total", snapshotFailures);
        w.family("axiom_reply_sink_errors_total", "counter",
            "Replies lost because their sink threw (the events behind them were durable)")
            .sample("axiom_reply_sink_errors_total", sinkErrors);
        w.family("axiom_snapshot_last_position_bytes", "gauge", "Journal position the last snapshot covers")
            .sample("axiom_snapshot_last_position_bytes", lastSnapshotPosition);
        w.family("axiom_snapshot_last_size_bytes", "gauge", "Size of the last snapshot")
            .sample("axiom_snapshot_last_size_bytes", lastSnapshotBytes);
        w.family("axiom_snapshot_last_duration_seconds", "gauge", "Time taken to write the last snapshot")
            .sample("axiom_snapshot_last_duration_seconds", lastSnapshotNanos * 1e-9);
        http(w);
        jvm(w);
        return w.toString();
    }

    private void http(final PrometheusWriter w)
    {
        w.family("axiom_http_requests_total", "counter",
            "HTTP requests answered, by method, route template and status");
        requests.forEach((k, v) -> w.sample("axiom_http_requests_total", v, "method", k.method(), "route", k.route(),
            "status", Integer.toString(k.status())));
        w.family("axiom_rejections_total", "counter",
            "Requests refused with an application/problem+json answer, by problem code and HTTP status");
        rejections.forEach((k, v) -> w.sample("axiom_rejections_total", v, "code", k.code(),
            "status", Integer.toString(k.status())));
        w.family("axiom_http_request_duration_seconds", "summary",
            "Time from a request reaching the gateway's filters to its answer being sent, by route, since start");
        durations.forEach((route, q) -> w.summarySamples(
            "axiom_http_request_duration_seconds", q, q.sum(), q.count(), "route", route));
    }

    private void jvm(final PrometheusWriter w)
    {
        w.family("axiom_jvm_memory_used_bytes", "gauge", "JVM memory in use, by area")
            .sample("axiom_jvm_memory_used_bytes", jvm.heapUsed(), "area", "heap")
            .sample("axiom_jvm_memory_used_bytes", jvm.nonHeapUsed(), "area", "nonheap");
        w.family("axiom_jvm_memory_committed_bytes", "gauge", "JVM memory committed, by area")
            .sample("axiom_jvm_memory_committed_bytes", jvm.heapCommitted(), "area", "heap")
            .sample("axiom_jvm_memory_committed_bytes", jvm.nonHeapCommitted(), "area", "nonheap");
        w.family("axiom_jvm_memory_max_bytes", "gauge", "JVM heap limit (-1 when undefined)")
            .sample("axiom_jvm_memory_max_bytes", jvm.heapMax(), "area", "heap");
        w.family("axiom_jvm_gc_collections_total", "counter", "Garbage collections, by collector");
        jvm.gcs().forEach(gc -> w.sample("axiom_jvm_gc_collections_total", gc.collections(), "gc", gc.name()));
        w.family("axiom_jvm_gc_collection_seconds_total", "counter", "Time spent in garbage collection, by collector");
        jvm.gcs().forEach(gc -> w.sample("axiom_jvm_gc_collection_seconds_total", gc.timeMs() / 1000.0,
            "gc", gc.name()));
        w.family("axiom_jvm_threads", "gauge", "Live platform threads (virtual threads are not counted)")
            .sample("axiom_jvm_threads", jvm.threads());
        w.family("axiom_jvm_threads_daemon", "gauge", "Live daemon threads")
            .sample("axiom_jvm_threads_daemon", jvm.daemonThreads());
        w.family("axiom_jvm_threads_peak", "gauge", "Most live platform threads since start")
            .sample("axiom_jvm_threads_peak", jvm.peakThreads());
        w.family("axiom_jvm_info", "gauge", "Java runtime version and vendor, value always 1")
            .sample("axiom_jvm_info", 1, "version", jvm.javaVersion(), "vendor", jvm.javaVendor());
        w.family("axiom_process_start_time_seconds", "gauge", "Process start, seconds since the epoch")
            .sample("axiom_process_start_time_seconds", jvm.startTimeMs() / 1000.0);
        w.family("axiom_process_uptime_seconds", "gauge", "Time since the process started")
            .sample("axiom_process_uptime_seconds", jvm.uptimeMs() / 1000.0);
        if (jvm.processCpuNanos() >= 0)
        {
            w.family("axiom_process_cpu_seconds_total", "counter", "CPU time used by the process, user and system")
                .sample("axiom_process_cpu_seconds_total", jvm.processCpuNanos() * 1e-9);
        }
        if (jvm.openFds() >= 0)
        {
            w.family("axiom_process_open_fds", "gauge", "Open file descriptors")
                .sample("axiom_process_open_fds", jvm.openFds());
            w.family("axiom_process_max_fds", "gauge", "File descriptor limit")
                .sample("axiom_process_max_fds", jvm.maxFds());
        }
        w.family("axiom_process_cpus", "gauge", "Processors available to the JVM")
            .sample("axiom_process_cpus", jvm.availableCpus());
    }

    private static Map<String, Object> quantiles(final Quantiles q)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", q.count());
        for (int i = 0; i < q.quantiles().length; i++)
        {
            m.put("p" + PrometheusWriter.format(q.quantiles()[i] * 100).replace(".", ""), nullIfNaN(q.values()[i]));
        }
        m.put("max", nullIfNaN(q.max()));
        m.put("mean", q.count() == 0 ? null : q.sum() / q.count());
        return m;
    }

    private static Double nullIfNaN(final double value)
    {
        return Double.isNaN(value) ? null : value;
    }

    private static Map<String, Object> map(final Object... pairs)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2)
        {
            m.put((String)pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
