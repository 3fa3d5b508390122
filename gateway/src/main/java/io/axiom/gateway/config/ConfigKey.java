package io.axiom.gateway.config;

import java.util.List;
import java.util.Locale;

/**
 * Every setting an Axiom server reads, with its type, default and allowed range.
 */
public enum ConfigKey
{
    WAL_DATA_DIR("wal.data-dir", ValueType.PATH, "./data", 0, 0,
        "directory of the write-ahead log (segments, snapshots)"),
    WAL_MAX_SEGMENT_SIZE("wal.max-segment-size", ValueType.SIZE, "64MiB", 64 * 1024, 1L << 30,
        "bytes per journal segment: 64KiB to 1GiB, a multiple of 4096"),
    WAL_FSYNC("wal.fsync", ValueType.BOOLEAN, "true", 0, 0,
        "fsync every group commit before replying; false loses acknowledged writes on a crash"),
    WAL_SNAPSHOT_INTERVAL_EVENTS("wal.snapshot-interval-events", ValueType.LONG, "5000000", 0, Long.MAX_VALUE,
        "events between snapshots of the state (0 = only at shutdown); start-up replays only what follows"),
    WAL_SNAPSHOT_INTERVAL_BYTES("wal.snapshot-interval-bytes", ValueType.SIZE, "1GiB", 0, 1L << 50,
        "journal bytes between snapshots of the state, whatever the events (0 = no such trigger)"),
    WAL_SNAPSHOT_INTERVAL_MS("wal.snapshot-interval-ms", ValueType.LONG, "0", 0, Long.MAX_VALUE,
        "time between snapshots of the state when events were written (0 = no such trigger)"),
    WAL_SNAPSHOT_RETAIN("wal.snapshot-retain", ValueType.INT, "2", 0, 1000,
        "snapshots kept; 0 turns snapshots off and start-up replays the whole log"),
    RETENTION_IN_MEMORY("retention.in-memory", ValueType.DURATION, "1h", 0, 3_650L * 86_400_000,
        "how long a COMPLETED, FAILED or CANCELLED workflow stays on the heap before only the on-disk index holds it " +
        "(still readable by id until retention.history)"),
    RETENTION_HISTORY("retention.history", ValueType.DURATION, "30d", 60_000, 3_650L * 86_400_000,
        "how long history stays readable: segments older than this and below the oldest kept snapshot are archived " +
        "or deleted (retention.policy), ended workflows older than this are gone"),
    RETENTION_POLICY("retention.policy", "archive", List.of("archive", "delete"),
        "what happens to a segment past retention: archive (compressed into retention.archive-dir, still readable) " +
        "or delete"),
    RETENTION_ARCHIVE_DIR("retention.archive-dir", ValueType.STRING, "", 0, 0,
        "directory of archived segments; empty = archive/ inside wal.data-dir"),
    SCHEDULER_LEASE_DURATION_MS("scheduler.lease-duration-ms", ValueType.LONG, "30000", 1, Long.MAX_VALUE,
        "how long a worker's lease on a task lasts without a heartbeat"),
    SCHEDULER_WORKER_TIMEOUT_MS("scheduler.worker-timeout-ms", ValueType.LONG, "60000", 1, Long.MAX_VALUE,
        "cap on one attempt of a task step"),
    GATEWAY_HOST("gateway.host", ValueType.STRING, "127.0.0.1", 0, 0,
        "address the HTTP server binds; 0.0.0.0 accepts remote clients"),
    GATEWAY_PORT("gateway.port", ValueType.INT, "4000", 0, 65535,
        "HTTP port; 0 binds an ephemeral port"),
    GATEWAY_MAX_BODY_BYTES("gateway.max-body-bytes", ValueType.SIZE, "1MiB", 1024, 64 * 1024 * 1024,
        "largest request body accepted, larger gets 413"),
    GATEWAY_REQUEST_TIMEOUT_MS("gateway.request-timeout-ms", ValueType.LONG, "10000", 1, 3_600_000,
        "how long a request waits for the engine's answer before 503"),
    GATEWAY_MAX_CONNECTIONS("gateway.max-connections", ValueType.INT, "1000", 1, 1_000_000,
        "most client connections open at once; more wait in the listen backlog (lowered to what the open-files " +
        "limit leaves, ulimit -n)"),
    GATEWAY_IDLE_TIMEOUT_MS("gateway.idle-timeout-ms", ValueType.LONG, "60000", 100, 86_400_000,
        "a connection with no request in progress (a WebSocket with no frame) for this long is closed"),
    GATEWAY_REQUEST_HEAD_TIMEOUT_MS("gateway.request-head-timeout-ms", ValueType.LONG, "10000", 100, 3_600_000,
        "time from the first byte of a request to the end of its headers; slower gets 408 and the connection is " +
        "closed (the body has no such limit)"),
    GATEWAY_API_TOKEN("gateway.api-token", ValueType.STRING, "", 0, 0,
        "bearer token every /api and /graphql request must carry; empty = none (prefer the env variable: " +
        "flags show in ps)", "AXIOM_API_TOKEN", true),
    LIMITS_MAX_STEPS("limits.max-steps", ValueType.INT, "1000", 1, 1_000_000,
        "most steps in one workflow"),
    LIMITS_MAX_NAME_LENGTH("limits.max-name-length", ValueType.INT, "256", 1, 65_535,
        "most characters in a workflow or step name"),
    GRAPHQL_MAX_DEPTH("graphql.max-depth", ValueType.INT, "10", 1, 1000,
        "deepest GraphQL query accepted (introspection excepted)"),
    GRAPHQL_MAX_COMPLEXITY("graphql.max-complexity", ValueType.INT, "200", 1, 1_000_000,
        "largest GraphQL query complexity accepted: one per field selected (introspection excepted)"),
    CORE_RING_SIZE("core.ring-size", ValueType.INT, "8192", 2, 1 << 24,
        "slots in the command ring, a power of two"),
    CORE_MAX_REPLY_BYTES("core.max-reply-bytes", ValueType.SIZE, "8MiB", 64 * 1024, 1L << 30,
        "largest answer to one read: list and event pages are cut to it and say where the next starts; at least " +
        "what the view of the largest workflow the limits allow takes without its outputs"),
    CORE_MAX_BATCH_REPLY_BYTES("core.max-batch-reply-bytes", ValueType.SIZE, "64MiB", 64 * 1024, 1L << 30,
        "most bytes the replies of one processor batch may hold; a large read beyond it is answered 503, retry " +
        "shortly"),
    CORE_SEARCH_BUDGET("core.search-budget", ValueType.INT, "16000", 1, 100_000_000,
        "most workflows one search reads on the processor (about 2 ms at the default); beyond it a total is a lower " +
        "bound (total_exact false) and a page that found nothing is refused (400 SEARCH_TOO_DEEP)"),
    TRANSPORT_ENABLED("transport.enabled", ValueType.BOOLEAN, "true", 0, 0,
        "accept workers over Aeron (an embedded media driver and the worker endpoint); false runs without them"),
    TRANSPORT_INGRESS("transport.ingress", ValueType.STRING, "aeron:udp?endpoint=localhost:40123", 0, 0,
        "the Aeron channel workers send to: UDP (endpoint=HOST:PORT the server binds) or aeron:ipc"),
    TRANSPORT_INGRESS_STREAM_ID("transport.ingress-stream-id", ValueType.INT, "1001", 1, Integer.MAX_VALUE,
        "the Aeron stream id of the ingress"),
    TRANSPORT_AERON_DIR("transport.aeron-dir", ValueType.STRING, "", 0, 0,
        "directory of an external Aeron media driver to use; empty runs one embedded"),
    CHAOS_ENABLED("chaos.enabled", ValueType.BOOLEAN, "false", 0, 0,
        "accept chaos runs (POST /api/v1/chaos/run, runChaos, bin/axiom chaos run): fault injection into this " +
        "server's journal, processor, worker transport and HTTP connections; never on a production server"),
    TRANSPORT_MAX_PARK_US("transport.max-park-us", ValueType.LONG, "1000", 1, 1_000_000,
        "longest park of the worker endpoint's idle thread (it also drives the embedded driver): lower answers " +
        "workers sooner when traffic is sparse and costs more CPU while idle"),
    CLUSTER_ENABLED("cluster.enabled", ValueType.BOOLEAN, "false", 0, 0,
        "run this server as one member of a replicated cluster (Aeron Cluster): writes go through the cluster's " +
        "log and are acknowledged once a majority has them on disk; needs cluster.member-id and cluster.members"),
    CLUSTER_MEMBER_ID("cluster.member-id", ValueType.INT, "0", 0, 127,
        "this member's id in cluster.members"),
    CLUSTER_MEMBERS("cluster.members", ValueType.STRING, "", 0, 0,
        "the cluster's members: \"0,host:basePort|1,host:basePort|2,host:basePort\" (ports basePort..basePort+4: " +
        "ingress, consensus, log, catch-up, archive) or Aeron's full form \"0,ingress,consensus,log,catchup," +
        "archive|1,...\""),
    CLUSTER_DIR("cluster.dir", ValueType.STRING, "", 0, 0,
        "directory of this member's cluster state (archive, consensus, media driver); empty = cluster/ inside " +
        "wal.data-dir"),
    CLUSTER_TICK_MS("cluster.tick-ms", ValueType.LONG, "20", 1, 60_000,
        "how often the cluster's log ticks: when timers (timer steps, leases, retry backoff) are looked at, in the " +
        "log's time"),
    CLUSTER_FORCE_ARCHIVE("cluster.force-archive", ValueType.BOOLEAN, "true", 0, 0,
        "force the cluster's log to disk before a member counts an entry as appended, so that an acknowledged " +
        "write is on disk on a majority; false keeps it in a majority's page cache only"),
    LOG_FORMAT("log.format", "text", List.of("text", "json"),
        "log lines as text (time, level, source, message) or as one JSON object each (ts, level, logger, msg, error)"),
    LOG_LEVEL("log.level", "info", List.of("error", "warn", "info", "debug"),
        "least severe log lines written; debug adds each refused request (4xx)");

    /**
     * How a raw value is parsed.
     */
    public enum ValueType
    {
        /** A non-blank string; may be empty (meaning none) when its default is empty. */
        STRING,
        /** A filesystem path. */
        PATH,
        /** true or false. */
        BOOLEAN,
        /** A 32-bit integer within the key's range. */
        INT,
        /** A 64-bit integer within the key's range. */
        LONG,
        /** A byte count, plain or with a suffix: KiB, MiB, GiB (also k, m, g, KB, MB, GB: all powers of 1024). */
        SIZE,
        /** A duration in milliseconds, plain or with a unit: ms, s, m, h, d (for example 500ms, 90s, 1h, 30d). */
        DURATION,
        /** One of the key's {@link ConfigKey#choices()}, any case. */
        CHOICE
    }

    private final String key;
    private final ValueType type;
    private final String defaultValue;
    private final long min;
    private final long max;
    private final String description;
    private final String envName;
    private final boolean secret;
    private final List<String> choices;

    ConfigKey(
        final String key,
        final ValueType type,
        final String defaultValue,
        final long min,
        final long max,
        final String description)
    {
        this(key, type, defaultValue, min, max, description, null, false, List.of());
    }

    ConfigKey(final String key, final String defaultValue, final List<String> choices, final String description)
    {
        this(key, ValueType.CHOICE, defaultValue, 0, 0, description, null, false, choices);
    }

    ConfigKey(
        final String key,
        final ValueType type,
        final String defaultValue,
        final long min,
        final long max,
        final String description,
        final String envName,
        final boolean secret)
    {
        this(key, type, defaultValue, min, max, description, envName, secret, List.of());
    }

    ConfigKey(
        final String key,
        final ValueType type,
        final String defaultValue,
        final long min,
        final long max,
        final String description,
        final String envName,
        final boolean secret,
        final List<String> choices)
    {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.description = description;
        this.envName = null != envName ? envName :
            "AXIOM_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        this.secret = secret;
        this.choices = choices;
    }

    /**
     * @return the values a {@link ValueType#CHOICE} key accepts, in lower case; empty for other keys.
     */
    public List<String> choices()
    {
        return choices;
    }

    /**
     * @return true for a secret: it may be empty (meaning none) and its value is never shown, only whether it is set.
     */
    public boolean secret()
    {
        return secret;
    }

    /**
     * @return dotted name as written in axiom.yaml, e.g. {@code wal.data-dir}.
     */
    public String key()
    {
        return key;
    }

    /**
     * @return how the value is parsed.
     */
    public ValueType type()
    {
        return type;
    }

    /**
     * @return the default in its raw textual form.
     */
    public String defaultValue()
    {
        return defaultValue;
    }

    /**
     * @return smallest allowed value of a numeric key.
     */
    public long min()
    {
        return min;
    }

    /**
     * @return largest allowed value of a numeric key.
     */
    public long max()
    {
        return max;
    }

    /**
     * @return one line for help texts.
     */
    public String description()
    {
        return description;
    }

    /**
     * @return name of the environment variable, e.g. {@code AXIOM_WAL_DATA_DIR} ({@code AXIOM_API_TOKEN} for the
     * token).
     */
    public String envName()
    {
        return envName;
    }

    /**
     * @return the long flag, e.g. {@code --wal.data-dir}.
     */
    public String flagName()
    {
        return "--" + key;
    }

    /**
     * @param key dotted name; {@code _} is read as {@code -}.
     * @return the key, or null when there is no such setting.
     */
    public static ConfigKey fromKey(final String key)
    {
        final String normalised = key.replace('_', '-');
        for (final ConfigKey k : values())
        {
            if (k.key.equals(normalised))
            {
                return k;
            }
        }
        return null;
    }

    /**
     * @param envName environment variable name.
     * @return the key, or null when the variable is not a setting.
     */
    public static ConfigKey fromEnvName(final String envName)
    {
        for (final ConfigKey k : values())
        {
            if (k.envName().equals(envName))
            {
                return k;
            }
        }
        return null;
    }
}
