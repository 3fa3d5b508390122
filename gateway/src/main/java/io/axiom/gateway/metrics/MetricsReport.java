package io.axiom.gateway.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import io.axiom.core.Engine;
import io.axiom.core.EngineCounters;
import io.axiom.gateway.http.Gateway;
import io.axiom.gateway.http.JsonViews;

/**
 * One reading of every figure, rendered as the JSON document of {@code GET /api/v1/metrics} or as the Prometheus
 * metric families of {@code GET /api/v1/metrics/prometheus}. Both renderings of one report show the same numbers.
 * <p>
 * Task figures (queued, leased, dispatched, completed, failed attempts, retries, rejections by reason), connected
 * workers and lease expiries are read from the engine's counters and the worker endpoint's; they are soft state and
 * start again from the log's queues after a restart (the counters of a run start at 0).
 */
public final class MetricsReport
{
    /** Workflow states in the order shown. */
    public static final List<String> STATES = List.copyOf(Gateway.STATES.stream().sorted().toList());

    private final long readAtMs;

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
    private final long workflowsOnHeap;
    private final long workflowsRetired;
    private final long coldStoreBytes;
    private final long recoveryNanos;
    private final long recoveredRecords;
    private final long recoveredFromPosition;
    private final long walCheckSegments;
    private final long walCheckSegmentsTotal;
    private final long walCheckBytes;
    private final long walCheckFaults;
    private final long walCheckDone;
    private final long snapshots;
    private final long snapshotFailures;
    private final long segmentsArchived;
    private final long segmentsDeleted;
    private final long archiveBytes;
    private final long retentionFailures;
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
    private final boolean snapshotInProgress;
    private final long lastSnapshotLongestSliceNs;
    private final EngineHistograms.Snapshot histograms;
    private final Map<HttpMetrics.RequestKey, Long> requests;
    private final Map<HttpMetrics.RejectionKey, Long> rejections;
    private final Map<String, HttpMetrics.Duration> durations;
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
        readAtMs = System.currentTimeMillis();
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
        workflowsOnHeap = c.workflowsOnHeap();
        workflowsRetired = c.workflowsRetired();
        coldStoreBytes = c.coldStoreBytes();
        recoveryNanos = c.recoveryNanos();
        recoveredRecords = c.recoveredRecords();
        recoveredFromPosition = c.recoveredFromPosition();
        final io.axiom.journal.BackgroundVerifier walCheck = c.backgroundVerifier();
        walCheckSegments = null == walCheck ? 0 : walCheck.segmentsVerified();
        walCheckSegmentsTotal = null == walCheck ? 0 : walCheck.segmentsTotal();
        walCheckBytes = null == walCheck ? 0 : walCheck.bytesVerified();
        walCheckFaults = null == walCheck ? 0 : walCheck.faults();
        walCheckDone = null == walCheck || walCheck.state() != io.axiom.journal.BackgroundVerifier.State.RUNNING ? 1 :
            0;
        snapshots = c.snapshotCount();
        snapshotFailures = c.snapshotFailures();
        segmentsArchived = c.segmentsArchived();
        segmentsDeleted = c.segmentsDeleted();
        archiveBytes = c.archiveBytes();
        retentionFailures = c.retentionFailures();
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
        snapshotInProgress = c.snapshotInProgress();
        lastSnapshotLongestSliceNs = c.lastSnapshotLongestSliceNs();
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
        root.put("read_at", JsonViews.isoTime(readAtMs));
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
        root.put("retention", map("workflows_on_heap", workflowsOnHeap, "workflows_retired", workflowsRetired,
            "cold_store_bytes", coldStoreBytes));
        root.put("recovery", map("seconds", recoveryNanos * 1e-9, "records", recoveredRecords,
            "from_position_bytes", recoveredFromPosition, "truncated_bytes", recoveryTruncatedBytes,
            "truncated_records", recoveryTruncatedRecords, "repair_cut", recoveryRepairCut == 1,
            "snapshots_set_aside", recoverySnapshotsSetAside, "notes", recoveryNotes));
        root.put("wal_background_verify", map("segments", walCheckSegments, "segments_total",
            walCheckSegmentsTotal, "bytes", walCheckBytes, "faults", walCheckFaults, "done", walCheckDone == 1));
        root.put("storage", map("status", storageStatus, "detail", storageDetail,
            "usable_bytes", storageUsableBytes));
        root.put("snapshots", map("count", snapshots, "last_position_bytes", lastSnapshotPosition,
            "last_size_bytes", lastSnapshotBytes, "last_seconds", lastSnapshotNanos * 1e-9,
            "in_progress", snapshotInProgress, "last_longest_slice_seconds", lastSnapshotLongestSliceNs * 1e-9));

        final List<Object> requestList = new ArrayList<>();
        requests.forEach((k, v) -> requestList.add(map("method", k.method(), "route", k.route(),
            "status", k.status(), "count", v)));
        final List<Object> rejectionList = new ArrayList<>();
        rejections.forEach((k, v) -> rejectionList.add(map("code", k.code(), "status", k.status(), "count", v)));
        final Map<String, Object> durationMap = new LinkedHashMap<>();
        durations.forEach((route, d) -> durationMap.put(route, quantiles(d.quantiles())));
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
     * @return the same reading as Prometheus metric families, for the client library's exposition writers. Counters
     * are named without their {@code _total}, which the writers add.
     */
    public MetricSnapshots snapshots()
    {
        final MetricSnapshots.Builder out = MetricSnapshots.builder();
        gauge(out, "axiom_ready", "1 once the engine has recovered its journal and serves commands, else 0",
            ready ? 1 : 0);
        gauge(out, "axiom_engine_failed", "1 when the engine stopped after a fatal error, else 0", failed ? 1 : 0);
        final GaugeSnapshot.Builder workflows = GaugeSnapshot.builder().name("axiom_workflows")
            .help("Workflows by current state");
        for (int i = 0; i < STATES.size(); i++)
        {
            workflows.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .labels(Labels.of("state", STATES.get(i))).value(stateCounts[i]).build());
        }
        out.metricSnapshot(workflows.build());
        counter(out, "axiom_workflows_created", "Workflows ever created, including those recovered from the journal",
            workflowsCreated);
        counter(out, "axiom_events_appended",
            "Events appended to the journal and made durable since this process started", eventsAppended);
        gauge(out, "axiom_journal_records", "Records in the journal", journalRecords);
        gauge(out, "axiom_journal_position_bytes", "Byte position where the next journal record goes",
            journalPosition);
        counter(out, "axiom_fsyncs", "Journal fsyncs (one per group commit) since start", fsyncs);
        histogram(out, "axiom_fsync_duration_seconds", "Time to fsync one group commit, since start",
            histograms.fsyncPoint());
        gauge(out, "axiom_fsync_duration_max_seconds", "Longest fsync since start", fsyncNanosMax * 1e-9);
        histogram(out, "axiom_batch_size", "Commands per group commit, since start", histograms.batchPoint());
        gauge(out, "axiom_batch_size_max", "Largest group commit since start, in commands", maxBatchSize);
        histogram(out, "axiom_command_duration_seconds",
            "Time from a command's publication on the ring to its reply after fsync, since start",
            histograms.commandPoint());
        gauge(out, "axiom_ring_size", "Slots in the command ring", ringSize);
        gauge(out, "axiom_ring_occupancy", "Commands waiting in the ring at the processor's last duty cycle",
            ringOccupancy);
        gauge(out, "axiom_tasks_queued", "Task steps waiting for a worker", tasksQueued);
        gauge(out, "axiom_tasks_leased", "Task steps leased to a worker", tasksLeased);
        gauge(out, "axiom_workers_connected", "Workers connected (Aeron sessions and HTTP fetches waiting)",
            workersConnected);
        counter(out, "axiom_lease_expiries", "Task leases that expired without a result", leaseExpiries);
        counter(out, "axiom_attempt_timeouts", "Task attempts that ran past their deadline", attemptTimeouts);
        counter(out, "axiom_tasks_dispatched", "Tasks dealt to workers (one StepLeased each)", tasksDispatched);
        counter(out, "axiom_task_completions", "Worker completions that committed a step", completionsAccepted);
        counter(out, "axiom_task_failures", "Attempts a worker reported failed", failuresAccepted);
        counter(out, "axiom_task_retries", "Failed attempts retried by their step's policy", retries);
        final CounterSnapshot.Builder taskRejections = CounterSnapshot.builder().name("axiom_task_rejections")
            .help("Worker completions and failures rejected, by reason (nothing was written)");
        rejected.forEach((reason, count) -> taskRejections.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
            .labels(Labels.of("reason", reason)).value(count).build()));
        out.metricSnapshot(taskRejections.build());
        gauge(out, "axiom_timers_pending", "Timers scheduled and not yet fired", timers);
        gauge(out, "axiom_workflows_on_heap", "Workflows held in memory (ended ones leave after retention.in-memory)",
            workflowsOnHeap);
        counter(out, "axiom_workflows_retired", "Ended workflows that left the heap for the cold store",
            workflowsRetired);
        gauge(out, "axiom_cold_store_bytes", "Bytes of the cold store's record files", coldStoreBytes);
        gauge(out, "axiom_recovery_duration_seconds", "Time the last start-up spent recovering the journal",
            recoveryNanos * 1e-9);
        gauge(out, "axiom_recovered_records", "Journal records replayed at start-up (after the snapshot)",
            recoveredRecords);
        gauge(out, "axiom_recovered_from_position_bytes",
            "Journal position replay started from: 0, or the position of the snapshot loaded", recoveredFromPosition);
        counter(out, "axiom_read_failures",
            "Reads the engine could not answer (500 READ_FAILED, logged); nothing changed and it went on",
            readFailures);
        counter(out, "axiom_replies_lost",
            "Replies dropped because the engine had no memory even for a problem (their callers time out)",
            lostReplies);
        gauge(out, "axiom_wal_background_verify_segments",
            "Segments before the start-up snapshot the background check has verified", walCheckSegments);
        gauge(out, "axiom_wal_background_verify_segments_expected",
            "Segments before the start-up snapshot the background check verifies (0: start-up checked every record)",
            walCheckSegmentsTotal);
        gauge(out, "axiom_wal_background_verify_bytes", "Bytes of records the background check has verified",
            walCheckBytes);
        gauge(out, "axiom_wal_background_verify_faults",
            "Corrupt records or segments the background check found before the start-up snapshot (logged at ERROR)",
            walCheckFaults);
        gauge(out, "axiom_wal_background_verify_done",
            "1 when the background check has ended (or there is none), 0 while it runs", walCheckDone);
        gauge(out, "axiom_recovery_truncated_bytes",
            "Bytes the last start-up cut from the journal's tail (a torn write or an incomplete command; with " +
            "--repair, corruption)", recoveryTruncatedBytes);
        gauge(out, "axiom_recovery_truncated_records",
            "Valid records of an incomplete command (or, with --repair, of a broken one) the last start-up dropped",
            recoveryTruncatedRecords);
        gauge(out, "axiom_recovery_repair_cut",
            "1 when the last start-up with --repair removed records that may have been acknowledged, else 0",
            recoveryRepairCut);
        gauge(out, "axiom_recovery_snapshots_set_aside",
            "Snapshots the last start-up set aside (damaged, past a repair cut, or not of this log)",
            recoverySnapshotsSetAside);
        gauge(out, "axiom_recovery_notes", "Decisions the last start-up announced (GET /ready lists them)",
            recoveryNotes.size());
        gauge(out, "axiom_storage_status",
            "Room for the journal in the data directory: 0 OK, 1 LOW (less than two segments free), 2 FULL " +
            "(writes refused until space is freed)", switch (storageStatus)
            {
                case "LOW" -> 1;
                case "FULL" -> 2;
                default -> 0;
            });
        gauge(out, "axiom_data_dir_free_bytes", "Usable bytes in the data directory's file system, as last " +
            "checked by the journal (-1 before it was)", storageUsableBytes);
        counter(out, "axiom_snapshots", "State snapshots written since start", snapshots);
        counter(out, "axiom_snapshot_failures",
            "State snapshots that could not be written (recovery then starts from an older one or the log)",
            snapshotFailures);
        counter(out, "axiom_segments_archived", "Journal segments retention archived since start (retention.policy " +
            "archive); each file then joined the pool and is recycled as a new segment", segmentsArchived);
        counter(out, "axiom_segments_deleted", "Journal segments whose records retention deleted since start " +
            "(retention.policy delete); each file then joined the pool", segmentsDeleted);
        counter(out, "axiom_segments_recycled", "Journal segment files retired into the pool for reuse since " +
            "start (archived plus deleted)", segmentsArchived + segmentsDeleted);
        counter(out, "axiom_archive_bytes", "Bytes of segment archives written since start", archiveBytes);
        counter(out, "axiom_retention_failures", "Segments retention could not archive or delete (they stay " +
            "live and are tried again a minute later)", retentionFailures);
        counter(out, "axiom_reply_sink_errors",
            "Replies lost because their sink threw (the events behind them were durable)", sinkErrors);
        gauge(out, "axiom_snapshot_last_position_bytes", "Journal position the last snapshot covers",
            lastSnapshotPosition);
        gauge(out, "axiom_snapshot_last_size_bytes", "Size of the last snapshot", lastSnapshotBytes);
        gauge(out, "axiom_snapshot_last_duration_seconds", "Time taken to write the last snapshot",
            lastSnapshotNanos * 1e-9);
        gauge(out, "axiom_snapshot_in_progress", "1 from the processor's mark until the snapshot is durable (or " +
            "failed), else 0", snapshotInProgress ? 1 : 0);
        gauge(out, "axiom_snapshot_last_longest_slice_seconds", "The processor's longest capture slice of the " +
            "last snapshot captured: its longest pause for that snapshot", lastSnapshotLongestSliceNs * 1e-9);
        gauge(out, "axiom_process_cpus", "Processors available to the JVM", jvm.availableCpus());
        http(out);
        return out.build();
    }

    private void http(final MetricSnapshots.Builder out)
    {
        final CounterSnapshot.Builder requestCounts = CounterSnapshot.builder().name("axiom_http_requests")
            .help("HTTP requests answered, by method, route template and status");
        requests.forEach((k, v) -> requestCounts.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
            .labels(Labels.of("method", k.method(), "route", k.route(), "status", Integer.toString(k.status())))
            .value(v).build()));
        out.metricSnapshot(requestCounts.build());
        final CounterSnapshot.Builder rejectionCounts = CounterSnapshot.builder().name("axiom_rejections")
            .help("Requests refused with an application/problem+json answer, by problem code and HTTP status");
        rejections.forEach((k, v) -> rejectionCounts.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
            .labels(Labels.of("code", k.code(), "status", Integer.toString(k.status()))).value(v).build()));
        out.metricSnapshot(rejectionCounts.build());
        final HistogramSnapshot.Builder requestDurations = HistogramSnapshot.builder()
            .name("axiom_http_request_duration_seconds")
            .help("Time from a request reaching the gateway's filters to its answer being sent, by route, since start");
        durations.forEach((route, d) -> requestDurations.dataPoint(d.point()));
        out.metricSnapshot(requestDurations.build());
    }

    private static void gauge(final MetricSnapshots.Builder out, final String name, final String help, final double v)
    {
        out.metricSnapshot(GaugeSnapshot.builder().name(name).help(help)
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(v).build()).build());
    }

    private static void counter(
        final MetricSnapshots.Builder out, final String name, final String help, final double value)
    {
        out.metricSnapshot(CounterSnapshot.builder().name(name).help(help)
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build()).build());
    }

    private static void histogram(
        final MetricSnapshots.Builder out,
        final String name,
        final String help,
        final HistogramSnapshot.HistogramDataPointSnapshot point)
    {
        out.metricSnapshot(HistogramSnapshot.builder().name(name).help(help).dataPoint(point).build());
    }

    private static Map<String, Object> quantiles(final Quantiles q)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", q.count());
        for (int i = 0; i < q.quantiles().length; i++)
        {
            final double percent = q.quantiles()[i] * 100;
            final String key = percent == Math.rint(percent) ? Long.toString((long)percent) :
                Double.toString(percent).replace(".", "");
            m.put("p" + key, nullIfNaN(q.values()[i]));
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
