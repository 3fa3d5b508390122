package io.axiom.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.axiom.journal.JournalContext;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AxiomConfigTest
{
    @TempDir
    Path dir;

    @Test
    void defaults()
    {
        final AxiomConfig config = AxiomConfig.defaults();

        assertEquals(Path.of("./data"), config.dataDir());
        assertEquals(64L * 1024 * 1024, config.maxSegmentSize());
        assertTrue(config.fsync());
        assertEquals(30_000, config.leaseDurationMs());
        assertEquals(60_000, config.workerTimeoutMs());
        assertEquals(4000, config.port());
        assertEquals("127.0.0.1", config.host());
        assertEquals(1024 * 1024, config.maxBodyBytes());
        assertEquals(1000, config.maxSteps());
        assertEquals(256, config.maxNameLength());
        assertEquals(8192, config.ringSize());
        assertEquals(1000, config.maxConnections());
        assertEquals(60_000, config.idleTimeoutMs());
        assertEquals(10_000, config.requestHeadTimeoutMs());
        assertEquals("default", config.setting(ConfigKey.GATEWAY_PORT).source());
        assertTrue(config.transportEnabled());
        assertEquals("aeron:udp?endpoint=localhost:40123", config.transportIngress());
        assertEquals(1001, config.transportIngressStreamId());
        assertEquals("", config.transportAeronDir(), "empty: run an embedded media driver");
    }

    @Test
    void ingressHasAShortFlagAndTheAeronDirectoryMayBeEmpty()
    {
        final AxiomConfig config = AxiomConfig.load(null, Map.of("AXIOM_TRANSPORT_AERON_DIR", ""),
            Map.of("--ingress", "aeron:ipc"));
        assertEquals("aeron:ipc", config.transportIngress());
        assertEquals("flag --ingress", config.setting(ConfigKey.TRANSPORT_INGRESS).source());
        assertEquals("", config.transportAeronDir());
        assertBad("--transport.ingress", "", "a non-empty string");
        assertBad("--transport.ingress-stream-id", "0", "between 1 and 2147483647");
        assertThrows(ConfigException.class,
            () -> AxiomConfig.load(null, Map.of("AXIOM_TRANSPORT_INGRES", "x"), Map.of()));
    }

    @Test
    void leaseAndWorkerTimeoutHaveShortFlags()
    {
        final AxiomConfig config = AxiomConfig.load(null, Map.of(),
            Map.of("--lease-duration-ms", "2000", "--worker-timeout-ms", "9000"));
        assertEquals(2000, config.leaseDurationMs());
        assertEquals("flag --lease-duration-ms", config.setting(ConfigKey.SCHEDULER_LEASE_DURATION_MS).source());
        assertEquals(9000, config.workerTimeoutMs());
        assertEquals("/dev/shm/aeron-ops", AxiomConfig.load(null, Map.of(), Map.of("--aeron-dir", "/dev/shm/aeron-ops"))
            .transportAeronDir());
        assertBad("--lease-duration-ms", "0", "between 1 and");
    }

    @Test
    void segmentSizeIsRefusedHereWhenTheJournalWouldRefuseIt()
    {
        assertEquals(JournalContext.MAX_SEGMENT_SIZE_MIN, ConfigKey.WAL_MAX_SEGMENT_SIZE.min());
        assertEquals(JournalContext.MAX_SEGMENT_SIZE_MAX, ConfigKey.WAL_MAX_SEGMENT_SIZE.max());

        assertBad("--wal.max-segment-size", "2GiB", "between 64KiB and 1GiB");
        assertBad("--wal.max-segment-size", "32KiB", "between 64KiB and 1GiB");
        assertBad("--wal.max-segment-size", "65535", "between 64KiB and 1GiB");
        assertBad("--wal.max-segment-size", "66000", "multiple of 4096");
        assertEquals(1L << 30,
            AxiomConfig.load(null, Map.of(), Map.of("--wal.max-segment-size", "1GiB")).maxSegmentSize());
        assertEquals(64 * 1024,
            AxiomConfig.load(null, Map.of(), Map.of("--wal.max-segment-size", "64KiB")).maxSegmentSize());
    }

    @Test
    void fileIsOverriddenByEnvironmentWhichIsOverriddenByFlags() throws IOException
    {
        final Path file = write("""
            wal:
              data-dir: /from/file
              fsync: false
            gateway:
              port: 5000
              max-body-bytes: 2MiB
            limits:
              max-steps: 10
            """);
        final Map<String, String> env = Map.of("AXIOM_GATEWAY_PORT", "6000", "AXIOM_LIMITS_MAX_STEPS", "20");
        final Map<String, String> flags = Map.of("--port", "7000");

        final AxiomConfig fileOnly = AxiomConfig.load(file, Map.of(), Map.of());
        assertEquals(5000, fileOnly.port());
        assertEquals("file " + file, fileOnly.setting(ConfigKey.GATEWAY_PORT).source());

        final AxiomConfig withEnv = AxiomConfig.load(file, env, Map.of());
        assertEquals(6000, withEnv.port());
        assertEquals(20, withEnv.maxSteps());
        assertEquals("env AXIOM_GATEWAY_PORT", withEnv.setting(ConfigKey.GATEWAY_PORT).source());

        final AxiomConfig all = AxiomConfig.load(file, env, flags);
        assertEquals(7000, all.port());
        assertEquals("flag --port", all.setting(ConfigKey.GATEWAY_PORT).source());
        assertEquals(20, all.maxSteps());
        assertEquals(Path.of("/from/file"), all.dataDir());
        assertFalse(all.fsync());
        assertEquals(2 * 1024 * 1024, all.maxBodyBytes());
    }

    @Test
    void everyKeyCanBeSetInEachOfTheThreeWays() throws IOException
    {
        for (final ConfigKey key : ConfigKey.values())
        {
            final String value = sample(key);
            final String[] parts = key.key().split("\\.");
            final Path file = write(parts[0] + ":\n  " + parts[1] + ": \"" + value + "\"\n");

            assertEquals(value, AxiomConfig.load(file, Map.of(), Map.of()).setting(key).raw(), key.key());
            assertEquals(value, AxiomConfig.load(null, Map.of(key.envName(), value), Map.of()).setting(key).raw());
            assertEquals(value, AxiomConfig.load(null, Map.of(), Map.of(key.flagName(), value)).setting(key).raw());
        }
    }

    @Test
    void fileAcceptsDottedAndUnderscoredKeys() throws IOException
    {
        final Path file = write("""
            wal.max_segment_size: 1MiB
            scheduler:
              lease_duration_ms: 1_000
            """);

        final AxiomConfig config = AxiomConfig.load(file, Map.of(), Map.of());

        assertEquals(1024 * 1024, config.maxSegmentSize());
        assertEquals(1000, config.leaseDurationMs());
    }

    @Test
    void unknownKeyInFileIsNamed() throws IOException
    {
        final Path file = write("wal:\n  fsink: true\n");

        final ConfigException ex =
            assertThrows(ConfigException.class, () -> AxiomConfig.load(file, Map.of(), Map.of()));

        assertTrue(ex.getMessage().contains("unknown key 'wal.fsink'"), ex.getMessage());
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
    }

    @Test
    void badValueNamesKeyAndSource()
    {
        final ConfigException fromEnv = assertThrows(ConfigException.class,
            () -> AxiomConfig.load(null, Map.of("AXIOM_GATEWAY_PORT", "abc"), Map.of()));
        assertTrue(fromEnv.getMessage().contains("'abc' for gateway.port (from env AXIOM_GATEWAY_PORT)"),
            fromEnv.getMessage());

        final ConfigException fromFlag = assertThrows(ConfigException.class,
            () -> AxiomConfig.load(null, Map.of(), Map.of("--port", "70000")));
        assertTrue(fromFlag.getMessage().contains("gateway.port (from flag --port)"), fromFlag.getMessage());
        assertTrue(fromFlag.getMessage().contains("between 0 and 65535"), fromFlag.getMessage());
    }

    @Test
    void valuesAreCheckedForTheirKind()
    {
        assertBad("--wal.fsync", "maybe", "true or false");
        assertBad("--wal.max-segment-size", "1000000", "multiple of 4096");
        assertBad("--wal.max-segment-size", "64 parsecs", "byte count");
        assertBad("--core.ring-size", "1000", "power of two");
        assertBad("--limits.max-steps", "0", "between 1 and");
        assertBad("--scheduler.lease-duration-ms", "-5", "between 1 and");
        assertBad("--gateway.max-body-bytes", "10", "between 1KiB and 64MiB");
        assertBad("--gateway.max-connections", "0", "between 1 and");
        assertBad("--gateway.idle-timeout-ms", "10", "between 100 and");
        assertBad("--gateway.request-head-timeout-ms", "0", "between 100 and");
        assertBad("--gateway.host", " ", "non-empty");
    }

    @Test
    void sizesTakeUnits()
    {
        assertEquals(64L * 1024 * 1024,
            AxiomConfig.load(null, Map.of(), Map.of("--wal.max-segment-size", "64MiB")).maxSegmentSize());
        assertEquals(512 * 1024,
            AxiomConfig.load(null, Map.of(), Map.of("--gateway.max-body-bytes", "512k")).maxBodyBytes());
        assertEquals(8192,
            AxiomConfig.load(null, Map.of(), Map.of("--gateway.max-body-bytes", "8192")).maxBodyBytes());
    }

    @Test
    void unknownEnvironmentVariablesInOurSectionsAreRefusedOthersIgnored()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> AxiomConfig.load(null, Map.of("AXIOM_GATEWAY_PROT", "1"), Map.of()));
        assertTrue(ex.getMessage().contains("AXIOM_GATEWAY_PROT"), ex.getMessage());

        final AxiomConfig config = AxiomConfig.load(null, Map.of("AXIOM_HOME", "/opt", "PATH", "/bin"), Map.of());
        assertEquals(4000, config.port());
    }

    @Test
    void aliasAndLongFlagForTheSameKeyConflict()
    {
        final Map<String, String> flags = new LinkedHashMap<>();
        flags.put("--port", "1");
        flags.put("--gateway.port", "2");

        final ConfigException ex = assertThrows(ConfigException.class, () -> AxiomConfig.load(null, Map.of(), flags));

        assertTrue(ex.getMessage().contains("--port and --gateway.port"), ex.getMessage());
    }

    @Test
    void notAMappingOrNotYamlIsRefused() throws IOException
    {
        final Path list = write("- a\n- b\n");
        assertTrue(assertThrows(ConfigException.class, () -> AxiomConfig.load(list, Map.of(), Map.of()))
            .getMessage().contains("must hold a YAML mapping"));

        final Path broken = write("wal: [unclosed\n");
        assertTrue(assertThrows(ConfigException.class, () -> AxiomConfig.load(broken, Map.of(), Map.of()))
            .getMessage().contains("is not valid YAML"));

        final Path nested = write("gateway:\n  port: [1, 2]\n");
        assertTrue(assertThrows(ConfigException.class, () -> AxiomConfig.load(nested, Map.of(), Map.of()))
            .getMessage().contains("must be a single value, not a list"));
    }

    @Test
    void emptyFileMeansDefaults() throws IOException
    {
        assertEquals(4000, AxiomConfig.load(write(""), Map.of(), Map.of()).port());
    }

    @Test
    void logFormatAndLevelAreOneOfTheirChoices()
    {
        final AxiomConfig defaults = AxiomConfig.defaults();
        assertEquals("text", defaults.logFormat());
        assertEquals("info", defaults.logLevel());
        final AxiomConfig chosen = AxiomConfig.load(null, Map.of("AXIOM_LOG_FORMAT", "JSON"),
            Map.of("--log-level", "Debug"));
        assertEquals("json", chosen.logFormat());
        assertEquals("debug", chosen.logLevel());
        assertEquals("env AXIOM_LOG_FORMAT", chosen.setting(ConfigKey.LOG_FORMAT).source());
        assertBad("--log-format", "xml", "expected one of text, json");
        assertBad("--log.level", "verbose", "expected one of error, warn, info, debug");
        assertBad("--log-level", "", "expected one of error, warn, info, debug");
        final ConfigException unknown = assertThrows(ConfigException.class,
            () -> AxiomConfig.load(null, Map.of("AXIOM_LOG_COLOR", "true"), Map.of()));
        assertTrue(unknown.getMessage().contains("unknown setting in environment variable AXIOM_LOG_COLOR"),
            unknown.getMessage());
    }

    @Test
    void envNamesFollowTheRule()
    {
        assertEquals("AXIOM_WAL_DATA_DIR", ConfigKey.WAL_DATA_DIR.envName());
        assertEquals("AXIOM_GATEWAY_PORT", ConfigKey.GATEWAY_PORT.envName());
        assertEquals("AXIOM_SCHEDULER_LEASE_DURATION_MS", ConfigKey.SCHEDULER_LEASE_DURATION_MS.envName());
        assertEquals("--wal.fsync", ConfigKey.WAL_FSYNC.flagName());
    }

    private static void assertBad(final String flag, final String value, final String expected)
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> AxiomConfig.load(null, Map.of(), Map.of(flag, value)), flag + " " + value);
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
        assertTrue(ex.getMessage().contains(flag), ex.getMessage());
    }

    private static String sample(final ConfigKey key)
    {
        return switch (key.type())
        {
            case PATH -> "/var/lib/axiom";
            case STRING -> "0.0.0.0";
            case BOOLEAN -> "false";
            case SIZE -> "128KiB";
            case DURATION -> "2h";
            case INT, LONG -> Long.toString(Math.max(4, key.min()));
            case CHOICE -> key.choices().getLast();
        };
    }

    private Path write(final String yaml) throws IOException
    {
        final Path file = Files.createTempFile(dir, "axiom", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
