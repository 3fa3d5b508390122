package io.axiom.gateway.config;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The effective configuration of a server: defaults, overridden by {@code axiom.yaml}, overridden by the
 * environment, overridden by flags. Immutable once loaded; every value remembers its source.
 */
public final class AxiomConfig
{
    /** Name of the file looked for in the working directory when no file is named. */
    public static final String DEFAULT_FILE_NAME = "axiom.yaml";
    /** Environment variable naming the configuration file, used when no {@code --config} flag is given. */
    public static final String CONFIG_FILE_ENV = "AXIOM_CONFIG";
    /** Short flags and the keys they stand for. */
    public static final Map<String, ConfigKey> FLAG_ALIASES = Map.ofEntries(
        Map.entry("--data-dir", ConfigKey.WAL_DATA_DIR),
        Map.entry("--port", ConfigKey.GATEWAY_PORT),
        Map.entry("--host", ConfigKey.GATEWAY_HOST),
        Map.entry("--ingress", ConfigKey.TRANSPORT_INGRESS),
        Map.entry("--lease-duration-ms", ConfigKey.SCHEDULER_LEASE_DURATION_MS),
        Map.entry("--worker-timeout-ms", ConfigKey.SCHEDULER_WORKER_TIMEOUT_MS),
        Map.entry("--aeron-dir", ConfigKey.TRANSPORT_AERON_DIR),
        Map.entry("--chaos-enabled", ConfigKey.CHAOS_ENABLED),
        Map.entry("--log-format", ConfigKey.LOG_FORMAT),
        Map.entry("--log-level", ConfigKey.LOG_LEVEL),
        Map.entry("--cluster", ConfigKey.CLUSTER_ENABLED),
        Map.entry("--member-id", ConfigKey.CLUSTER_MEMBER_ID),
        Map.entry("--cluster-members", ConfigKey.CLUSTER_MEMBERS));

    private static final String SOURCE_DEFAULT = "default";
    private static final List<String> SECTIONS =
        List.of("WAL_", "SCHEDULER_", "GATEWAY_", "LIMITS_", "CORE_", "GRAPHQL_", "TRANSPORT_", "CHAOS_", "CLUSTER_",
            "LOG_");
    private static final Pattern SIZE = Pattern.compile("([0-9][0-9_]*)\\s*([A-Za-z]*)");

    /**
     * One effective setting.
     *
     * @param key    the setting.
     * @param value  parsed value: String, Path, Boolean, Integer or Long.
     * @param raw    the text it was parsed from.
     * @param source where it came from: {@code default}, {@code file F}, {@code env NAME} or {@code flag --NAME}.
     */
    public record Setting(ConfigKey key, Object value, String raw, String source)
    {
        @Override
        public String toString()
        {
            final String shown = !key.secret() ? raw : raw.isEmpty() ? "(none)" : "(set)";
            return key.key() + "=" + shown + " (" + source + ")";
        }
    }

    private final Map<ConfigKey, Setting> settings;
    private final Path file;

    private AxiomConfig(final Map<ConfigKey, Setting> settings, final Path file)
    {
        this.settings = Collections.unmodifiableMap(settings);
        this.file = file;
    }

    /**
     * @return every setting at its default.
     */
    public static AxiomConfig defaults()
    {
        return load(null, Map.of(), Map.of());
    }

    /**
     * Resolve the configuration: defaults &lt; file &lt; environment &lt; flags.
     *
     * @param file  the YAML file to read, or null for none.
     * @param env   environment variables; only {@code AXIOM_*} names are read, others are ignored.
     * @param flags flag name (e.g. {@code --wal.fsync} or an alias such as {@code --port}) to raw value, in the
     *              order given.
     * @return the effective configuration.
     * @throws ConfigException naming key, source and problem when anything is unknown, malformed or out of range.
     */
    public static AxiomConfig load(final Path file, final Map<String, String> env, final Map<String, String> flags)
    {
        final Map<ConfigKey, Setting> settings = new EnumMap<>(ConfigKey.class);
        for (final ConfigKey key : ConfigKey.values())
        {
            settings.put(key, parse(key, key.defaultValue(), SOURCE_DEFAULT));
        }

        if (null != file)
        {
            for (final Map.Entry<ConfigKey, String> e : readFile(file).entrySet())
            {
                settings.put(e.getKey(), parse(e.getKey(), e.getValue(), "file " + file));
            }
        }

        for (final Map.Entry<String, String> e : new TreeMap<>(env).entrySet())
        {
            final String name = e.getKey();
            if (!name.startsWith("AXIOM_"))
            {
                continue;
            }
            final ConfigKey key = ConfigKey.fromEnvName(name);
            if (null != key)
            {
                settings.put(key, parse(key, e.getValue(), "env " + name));
            }
            else if (isInSection(name))
            {
                throw new ConfigException("unknown setting in environment variable " + name + "; known variables: " +
                    String.join(", ", envNames()));
            }
        }

        final Map<ConfigKey, String> flagOfKey = new EnumMap<>(ConfigKey.class);
        for (final Map.Entry<String, String> e : flags.entrySet())
        {
            final String flag = e.getKey();
            final ConfigKey key = flagKey(flag);
            if (null == key)
            {
                throw new ConfigException("unknown flag " + flag);
            }
            final String earlier = flagOfKey.put(key, flag);
            if (null != earlier && !earlier.equals(flag))
            {
                throw new ConfigException(
                    "both " + earlier + " and " + flag + " were given; they set the same key " + key.key());
            }
            settings.put(key, parse(key, e.getValue(), "flag " + flag));
        }

        return new AxiomConfig(settings, file);
    }

    /**
     * @param flag a flag such as {@code --wal.fsync} or {@code --port}.
     * @return the key it sets, or null.
     */
    public static ConfigKey flagKey(final String flag)
    {
        final ConfigKey alias = FLAG_ALIASES.get(flag);
        if (null != alias)
        {
            return alias;
        }
        for (final ConfigKey key : ConfigKey.values())
        {
            if (key.flagName().equals(flag))
            {
                return key;
            }
        }
        return null;
    }

    /**
     * @return the file that was read, or null.
     */
    public Path file()
    {
        return file;
    }

    /**
     * @param key a setting.
     * @return its effective value and source.
     */
    public Setting setting(final ConfigKey key)
    {
        return settings.get(key);
    }

    /**
     * @return one line per setting: key, value and where the value came from.
     */
    public List<String> describe()
    {
        final List<String> lines = new ArrayList<>();
        for (final Setting s : settings.values())
        {
            final String shown = !s.key().secret() ? s.raw() : s.raw().isEmpty() ? "(none)" : "(set)";
            lines.add(String.format(Locale.ROOT, "%-28s = %-20s (%s)", s.key().key(), shown, s.source()));
        }
        return lines;
    }

    public Path dataDir()
    {
        return (Path)settings.get(ConfigKey.WAL_DATA_DIR).value();
    }

    public long maxSegmentSize()
    {
        return (Long)settings.get(ConfigKey.WAL_MAX_SEGMENT_SIZE).value();
    }

    public boolean fsync()
    {
        return (Boolean)settings.get(ConfigKey.WAL_FSYNC).value();
    }

    /**
     * @return ms an ended workflow stays on the heap (retention.in-memory).
     */
    public long inMemoryRetentionMs()
    {
        return (Long)settings.get(ConfigKey.RETENTION_IN_MEMORY).value();
    }

    /**
     * @return ms history stays readable (retention.history).
     */
    public long historyRetentionMs()
    {
        return (Long)settings.get(ConfigKey.RETENTION_HISTORY).value();
    }

    /**
     * @return true to archive segments past retention, false to delete them (retention.policy).
     */
    public boolean archiveRetired()
    {
        return "archive".equals(settings.get(ConfigKey.RETENTION_POLICY).value());
    }

    /**
     * @return directory of archived segments: retention.archive-dir, or archive/ inside the data directory.
     */
    public Path archiveDir()
    {
        final String dir = (String)settings.get(ConfigKey.RETENTION_ARCHIVE_DIR).value();
        return dir.isEmpty() ? dataDir().resolve("archive") : Path.of(dir);
    }

    public long leaseDurationMs()
    {
        return (Long)settings.get(ConfigKey.SCHEDULER_LEASE_DURATION_MS).value();
    }

    public long workerTimeoutMs()
    {
        return (Long)settings.get(ConfigKey.SCHEDULER_WORKER_TIMEOUT_MS).value();
    }

    public String host()
    {
        return (String)settings.get(ConfigKey.GATEWAY_HOST).value();
    }

    public int port()
    {
        return (Integer)settings.get(ConfigKey.GATEWAY_PORT).value();
    }

    public int maxBodyBytes()
    {
        return Math.toIntExact((Long)settings.get(ConfigKey.GATEWAY_MAX_BODY_BYTES).value());
    }

    /**
     * @return the largest answer to one read, in bytes (core.max-reply-bytes).
     */
    public int maxReplyBytes()
    {
        return Math.toIntExact((Long)settings.get(ConfigKey.CORE_MAX_REPLY_BYTES).value());
    }

    /**
     * @return the most bytes the replies of one batch may hold (core.max-batch-reply-bytes).
     */
    public int maxBatchReplyBytes()
    {
        return Math.toIntExact((Long)settings.get(ConfigKey.CORE_MAX_BATCH_REPLY_BYTES).value());
    }

    public long requestTimeoutMs()
    {
        return (Long)settings.get(ConfigKey.GATEWAY_REQUEST_TIMEOUT_MS).value();
    }

    /**
     * @return most client connections open at once, as configured (the listener may lower it to what the open-files
     * limit leaves).
     */
    public int maxConnections()
    {
        return (Integer)settings.get(ConfigKey.GATEWAY_MAX_CONNECTIONS).value();
    }

    /**
     * @return milliseconds a connection may stay without a request in progress before it is closed.
     */
    public long idleTimeoutMs()
    {
        return (Long)settings.get(ConfigKey.GATEWAY_IDLE_TIMEOUT_MS).value();
    }

    /**
     * @return milliseconds from the first byte of a request to the end of its headers.
     */
    public long requestHeadTimeoutMs()
    {
        return (Long)settings.get(ConfigKey.GATEWAY_REQUEST_HEAD_TIMEOUT_MS).value();
    }

    /**
     * @return the bearer token API requests must carry, or the empty string when none is configured.
     */
    public String apiToken()
    {
        return (String)settings.get(ConfigKey.GATEWAY_API_TOKEN).value();
    }

    public int maxSteps()
    {
        return (Integer)settings.get(ConfigKey.LIMITS_MAX_STEPS).value();
    }

    public int maxNameLength()
    {
        return (Integer)settings.get(ConfigKey.LIMITS_MAX_NAME_LENGTH).value();
    }

    public long snapshotIntervalEvents()
    {
        return (Long)settings.get(ConfigKey.WAL_SNAPSHOT_INTERVAL_EVENTS).value();
    }

    public long snapshotIntervalBytes()
    {
        return (Long)settings.get(ConfigKey.WAL_SNAPSHOT_INTERVAL_BYTES).value();
    }

    public long snapshotIntervalMs()
    {
        return (Long)settings.get(ConfigKey.WAL_SNAPSHOT_INTERVAL_MS).value();
    }

    public int snapshotRetain()
    {
        return (Integer)settings.get(ConfigKey.WAL_SNAPSHOT_RETAIN).value();
    }

    /**
     * @return most workflows one search reads on the processor (core.search-budget).
     */
    public int searchBudget()
    {
        return (Integer)settings.get(ConfigKey.CORE_SEARCH_BUDGET).value();
    }

    public int ringSize()
    {
        return (Integer)settings.get(ConfigKey.CORE_RING_SIZE).value();
    }

    /**
     * @return deepest GraphQL query accepted.
     */
    public int graphqlMaxDepth()
    {
        return (Integer)settings.get(ConfigKey.GRAPHQL_MAX_DEPTH).value();
    }

    /**
     * @return largest GraphQL query complexity accepted.
     */
    public int graphqlMaxComplexity()
    {
        return (Integer)settings.get(ConfigKey.GRAPHQL_MAX_COMPLEXITY).value();
    }

    /**
     * @return true when workers may connect over Aeron (transport.enabled).
     */
    public boolean transportEnabled()
    {
        return (Boolean)settings.get(ConfigKey.TRANSPORT_ENABLED).value();
    }

    /**
     * @return true when chaos runs are accepted (fault injection; off by default).
     */
    public boolean chaosEnabled()
    {
        return (Boolean)settings.get(ConfigKey.CHAOS_ENABLED).value();
    }

    /**
     * @return how log lines are written: {@code text} or {@code json} (log.format).
     */
    public String logFormat()
    {
        return (String)settings.get(ConfigKey.LOG_FORMAT).value();
    }

    /**
     * @return the least severe log lines written: {@code error}, {@code warn}, {@code info} or {@code debug}
     * (log.level).
     */
    public String logLevel()
    {
        return (String)settings.get(ConfigKey.LOG_LEVEL).value();
    }

    /**
     * @return the Aeron channel workers send to (transport.ingress).
     */
    public boolean clusterEnabled()
    {
        return (Boolean)settings.get(ConfigKey.CLUSTER_ENABLED).value();
    }

    public int clusterMemberId()
    {
        return (Integer)settings.get(ConfigKey.CLUSTER_MEMBER_ID).value();
    }

    public String clusterMembers()
    {
        return (String)settings.get(ConfigKey.CLUSTER_MEMBERS).value();
    }

    /**
     * @return the member's cluster directory: {@code cluster.dir}, else {@code cluster/} in the data directory.
     */
    public Path clusterDir()
    {
        final String dir = (String)settings.get(ConfigKey.CLUSTER_DIR).value();
        return dir.isEmpty() ? dataDir().resolve("cluster") : Path.of(dir);
    }

    public long clusterTickMs()
    {
        return (Long)settings.get(ConfigKey.CLUSTER_TICK_MS).value();
    }

    public boolean clusterForceArchive()
    {
        return (Boolean)settings.get(ConfigKey.CLUSTER_FORCE_ARCHIVE).value();
    }

    public String transportIngress()
    {
        return (String)settings.get(ConfigKey.TRANSPORT_INGRESS).value();
    }

    /**
     * @return the ingress stream id (transport.ingress-stream-id).
     */
    public int transportIngressStreamId()
    {
        return (Integer)settings.get(ConfigKey.TRANSPORT_INGRESS_STREAM_ID).value();
    }

    /**
     * @return the longest park of the worker endpoint's idle thread, in microseconds.
     */
    public long transportMaxParkUs()
    {
        return (Long)settings.get(ConfigKey.TRANSPORT_MAX_PARK_US).value();
    }

    /**
     * @return the directory of an external media driver, or the empty string to run one embedded
     * (transport.aeron-dir).
     */
    public String transportAeronDir()
    {
        return (String)settings.get(ConfigKey.TRANSPORT_AERON_DIR).value();
    }

    private static boolean isInSection(final String envName)
    {
        final String rest = envName.substring("AXIOM_".length());
        for (final String section : SECTIONS)
        {
            if (rest.startsWith(section))
            {
                return true;
            }
        }
        return false;
    }

    private static List<String> envNames()
    {
        final List<String> names = new ArrayList<>();
        for (final ConfigKey key : ConfigKey.values())
        {
            names.add(key.envName());
        }
        return names;
    }

    private static List<String> keyNames()
    {
        final List<String> names = new ArrayList<>();
        for (final ConfigKey key : ConfigKey.values())
        {
            names.add(key.key());
        }
        return names;
    }

    private static Map<ConfigKey, String> readFile(final Path file)
    {
        final Object root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            final LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(new SafeConstructor(options)).load(reader);
        }
        catch (final IOException ex)
        {
            throw new ConfigException("cannot read configuration file " + file + ": " + ex, ex);
        }
        catch (final YAMLException ex)
        {
            throw new ConfigException("configuration file " + file + " is not valid YAML: " + ex.getMessage(), ex);
        }

        final Map<ConfigKey, String> values = new LinkedHashMap<>();
        if (null == root)
        {
            return values;
        }
        if (!(root instanceof Map<?, ?> map))
        {
            throw new ConfigException("configuration file " + file + " must hold a YAML mapping of sections " +
                "(wal, scheduler, gateway, limits, core, graphql, transport, chaos, log), not " + describeType(root));
        }
        flatten(file, "", map, values);
        return values;
    }

    private static void flatten(
        final Path file, final String prefix, final Map<?, ?> map, final Map<ConfigKey, String> values)
    {
        for (final Map.Entry<?, ?> e : map.entrySet())
        {
            if (!(e.getKey() instanceof String name))
            {
                throw new ConfigException("configuration file " + file + ": key '" + e.getKey() + "' under '" +
                    prefix + "' is not a string");
            }
            final String path = prefix.isEmpty() ? name : prefix + "." + name;
            final Object value = e.getValue();
            if (value instanceof Map<?, ?> nested)
            {
                flatten(file, path, nested, values);
                continue;
            }

            final ConfigKey key = ConfigKey.fromKey(path);
            if (null == key)
            {
                throw new ConfigException("unknown key '" + path + "' in configuration file " + file +
                    "; known keys: " + String.join(", ", keyNames()));
            }
            if (null == value)
            {
                throw new ConfigException("key '" + path + "' in configuration file " + file + " has no value");
            }
            if (!(value instanceof String || value instanceof Boolean || value instanceof Integer ||
                value instanceof Long || value instanceof BigInteger || value instanceof Double ||
                value instanceof BigDecimal))
            {
                throw new ConfigException("key '" + path + "' in configuration file " + file +
                    " must be a single value, not " + describeType(value));
            }
            if (values.containsKey(key))
            {
                throw new ConfigException("key '" + key.key() + "' is set twice in configuration file " + file);
            }
            values.put(key, String.valueOf(value));
        }
    }

    private static String describeType(final Object value)
    {
        if (value instanceof List<?>)
        {
            return "a list";
        }
        if (value instanceof Map<?, ?>)
        {
            return "a mapping";
        }
        return "a " + value.getClass().getSimpleName();
    }

    /**
     * Parse one raw value for a key.
     *
     * @param key    the setting.
     * @param raw    the text.
     * @param source where the text came from, for the error message.
     * @return the setting.
     * @throws ConfigException when the text is not a valid value of the key.
     */
    static Setting parse(final ConfigKey key, final String raw, final String source)
    {
        final String text = null == raw ? "" : raw.trim();
        final Object value = switch (key.type())
        {
            case STRING -> key.secret() || key.defaultValue().isEmpty() ? text : parseString(key, text, source);
            case PATH -> parsePath(key, text, source);
            case BOOLEAN -> parseBoolean(key, text, source);
            case INT -> Math.toIntExact(checkRange(key, parseLong(key, text, source), text, source));
            case LONG -> checkRange(key, parseLong(key, text, source), text, source);
            case SIZE -> checkRange(key, parseSize(key, text, source), text, source);
            case DURATION -> checkRange(key, parseDuration(key, text, source), text, source);
            case CHOICE -> parseChoice(key, text, source);
        };

        if (key == ConfigKey.WAL_MAX_SEGMENT_SIZE && (Long)value % 4096 != 0)
        {
            throw bad(key, text, source, "a multiple of 4096 bytes");
        }
        if (key == ConfigKey.CORE_RING_SIZE && Integer.bitCount((Integer)value) != 1)
        {
            throw bad(key, text, source, "a power of two");
        }
        return new Setting(key, value, text, source);
    }

    private static String parseString(final ConfigKey key, final String text, final String source)
    {
        if (text.isEmpty())
        {
            throw bad(key, text, source, "a non-empty string");
        }
        return text;
    }

    private static String parseChoice(final ConfigKey key, final String text, final String source)
    {
        final String lower = text.toLowerCase(Locale.ROOT);
        if (!key.choices().contains(lower))
        {
            throw bad(key, text, source, "one of " + String.join(", ", key.choices()));
        }
        return lower;
    }

    private static Path parsePath(final ConfigKey key, final String text, final String source)
    {
        if (text.isEmpty())
        {
            throw bad(key, text, source, "a non-empty path");
        }
        try
        {
            return Path.of(text);
        }
        catch (final InvalidPathException ex)
        {
            throw bad(key, text, source, "a valid path (" + ex.getReason() + ")");
        }
    }

    private static Boolean parseBoolean(final ConfigKey key, final String text, final String source)
    {
        return switch (text.toLowerCase(Locale.ROOT))
        {
            case "true", "yes", "on" -> Boolean.TRUE;
            case "false", "no", "off" -> Boolean.FALSE;
            default -> throw bad(key, text, source, "true or false");
        };
    }

    private static long parseLong(final ConfigKey key, final String text, final String source)
    {
        final String digits = text.replace("_", "");
        if (!digits.matches("-?[0-9]+"))
        {
            throw bad(key, text, source, "an integer" + range(key));
        }
        try
        {
            return Long.parseLong(digits);
        }
        catch (final NumberFormatException ex)
        {
            throw bad(key, text, source, "an integer" + range(key));
        }
    }

    private static long parseSize(final ConfigKey key, final String text, final String source)
    {
        final Matcher m = SIZE.matcher(text);
        if (!m.matches())
        {
            throw bad(key, text, source, "a byte count such as 1048576, 512KiB or 64MiB" + range(key));
        }
        final long unit = switch (m.group(2).toLowerCase(Locale.ROOT))
        {
            case "", "b" -> 1L;
            case "k", "kb", "kib" -> 1024L;
            case "m", "mb", "mib" -> 1024L * 1024;
            case "g", "gb", "gib" -> 1024L * 1024 * 1024;
            default -> throw bad(key, text, source, "a byte count with a unit of KiB, MiB or GiB");
        };
        try
        {
            return Math.multiplyExact(Long.parseLong(m.group(1).replace("_", "")), unit);
        }
        catch (final ArithmeticException | NumberFormatException ex)
        {
            throw bad(key, text, source, "a byte count" + range(key));
        }
    }

    private static long parseDuration(final ConfigKey key, final String text, final String source)
    {
        final Matcher m = SIZE.matcher(text);
        if (!m.matches())
        {
            throw bad(key, text, source, "a duration such as 500ms, 90s, 15m, 1h or 30d" + range(key));
        }
        final long unit = switch (m.group(2).toLowerCase(Locale.ROOT))
        {
            case "", "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> throw bad(key, text, source, "a duration with a unit of ms, s, m, h or d" + range(key));
        };
        try
        {
            return Math.multiplyExact(Long.parseLong(m.group(1).replace("_", "")), unit);
        }
        catch (final ArithmeticException | NumberFormatException ex)
        {
            throw bad(key, text, source, "a duration" + range(key));
        }
    }

    private static long checkRange(final ConfigKey key, final long value, final String text, final String source)
    {
        if (value < key.min() || value > key.max())
        {
            throw bad(key, text, source, "a value" + range(key));
        }
        return value;
    }

    private static String range(final ConfigKey key)
    {
        return switch (key.type())
        {
            case SIZE -> " between " + bytes(key.min()) + " and " + bytes(key.max());
            case DURATION -> " between " + duration(key.min()) + " and " + duration(key.max());
            default -> " between " + key.min() + " and " + key.max();
        };
    }

    private static String duration(final long ms)
    {
        if (ms >= 86_400_000L && ms % 86_400_000L == 0)
        {
            return ms / 86_400_000L + "d";
        }
        if (ms >= 3_600_000L && ms % 3_600_000L == 0)
        {
            return ms / 3_600_000L + "h";
        }
        if (ms >= 60_000L && ms % 60_000L == 0)
        {
            return ms / 60_000L + "m";
        }
        if (ms >= 1_000L && ms % 1_000L == 0)
        {
            return ms / 1_000L + "s";
        }
        return ms + "ms";
    }

    private static String bytes(final long count)
    {
        if (count >= 1024L * 1024 * 1024 && count % (1024L * 1024 * 1024) == 0)
        {
            return count / (1024L * 1024 * 1024) + "GiB";
        }
        if (count >= 1024L * 1024 && count % (1024L * 1024) == 0)
        {
            return count / (1024L * 1024) + "MiB";
        }
        if (count >= 1024 && count % 1024 == 0)
        {
            return count / 1024 + "KiB";
        }
        return Long.toString(count);
    }

    private static ConfigException bad(
        final ConfigKey key, final String text, final String source, final String expected)
    {
        return new ConfigException(
            "invalid value '" + text + "' for " + key.key() + " (from " + source + "): expected " + expected);
    }
}
