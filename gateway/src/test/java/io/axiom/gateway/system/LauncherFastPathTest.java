package io.axiom.gateway.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's fast path, on a copy of {@code bin/axiom} in a scratch project with a stub JDK and a stub Maven that
 * log how they were called: Maven runs once and not again while nothing changed; short commands get C1 and the
 * start-up cache, trained once in the background and used from then on; other commands get neither.
 */
class LauncherFastPathTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String JAR = "gateway/target/axiom-gateway-0.1.0-SNAPSHOT.jar";
    private static final String STUB_JAVA = """
        #!/usr/bin/env bash
        printf 'java %s\\n' "$*" >> "$STUB_LOG"
        mode=""
        for a in "$@"; do
            case "$a" in
                -XX:AOTMode=*) mode="${a#-XX:AOTMode=}" ;;
            esac
        done
        for a in "$@"; do
            case "$a" in
                -XX:AOTConfiguration=*) [[ "$mode" == record ]] && echo config > "${a#*=}" ;;
                -XX:AOTCache=*) [[ "$mode" == create ]] && echo cache > "${a#*=}" ;;
                -XX:ArchiveClassesAtExit=*) echo archive > "${a#*=}" ;;
            esac
        done
        echo "stub java ran"
        """;
    private static final String STUB_MVN = """
        #!/usr/bin/env bash
        printf 'mvn %s\\n' "$*" >> "$STUB_LOG"
        """;

    @TempDir
    Path home;

    private Path log;

    @BeforeEach
    void scratchProject() throws IOException
    {
        Files.createDirectories(home.resolve("bin"));
        Files.copy(ServerProcess.launcher(), home.resolve("bin/axiom"));
        Files.writeString(home.resolve("pom.xml"), "<project/>");
        Files.createDirectories(home.resolve("gateway/src/main/java"));
        Files.writeString(home.resolve("gateway/src/main/java/A.java"), "class A {}");
        Files.writeString(home.resolve("gateway/pom.xml"), "<project/>");
        Files.createDirectories(home.resolve("gateway/target/lib"));
        Files.writeString(home.resolve(JAR), "jar");
        Files.writeString(home.resolve("gateway/target/lib/dep.jar"), "jar");
        Files.createDirectories(home.resolve("jdk/bin"));
        executable(home.resolve("jdk/bin/java"), STUB_JAVA);
        executable(home.resolve("jdk/bin/javac"), "#!/bin/sh\n");
        Files.writeString(home.resolve("jdk/release"), "JAVA_VERSION=\"25.0.1\"\n");
        executable(home.resolve("mvn"), STUB_MVN);
        log = home.resolve("stub.log");
        Files.writeString(log, "");
    }

    @Test
    void mavenRunsOnceThenShortCommandsUseTheCacheTrainedInTheBackground() throws Exception
    {
        final String first = axiom(Map.of(), "--version");
        assertTrue(first.contains("stub java ran"), first);
        assertEquals(1, count("mvn "), "no build yet: Maven runs once\n" + read());
        awaitFile(home.resolve("gateway/target/axiom-startup.aot"));
        awaitFile(home.resolve("gateway/target/axiom-startup.aot.key"));
        assertTrue(read().contains("-XX:AOTMode=record") && read().contains("io.axiom.gateway.StartupTraining"),
            read());

        Files.writeString(log, "");
        axiom(Map.of(), "--version");
        axiom(Map.of(), "--server", "http://h:1", "--json", "workflow", "list");
        assertEquals(0, count("mvn "), "nothing changed: no Maven\n" + read());
        final List<String> runs = javaRuns();
        assertEquals(2, runs.size(), read());
        for (final String run : runs)
        {
            assertTrue(run.contains(" -XX:TieredStopAtLevel=1 ") && run.contains(" -XX:AOTCache=" +
                home.resolve("gateway/target/axiom-startup.aot") + " "), run);
        }
        assertFalse(read().contains("StartupTraining"), "trained once: " + read());

        Files.writeString(log, "");
        axiom(Map.of(), "server", "--port", "0");
        final String server = javaRuns().get(0);
        assertFalse(server.contains("TieredStopAtLevel") || server.contains("AOTCache"), server);
        assertTrue(server.endsWith("io.axiom.gateway.AxiomMain server --port 0"), server);
    }

    @Test
    void aNewerJarRetrainsAndOffTurnsTheCacheOff() throws Exception
    {
        axiom(Map.of(), "tasks");
        awaitFile(home.resolve("gateway/target/axiom-startup.aot.key"));

        Files.setLastModifiedTime(home.resolve("gateway/target/lib/dep.jar"),
            FileTime.from(Instant.now().plusSeconds(120)));
        Files.writeString(log, "");
        axiom(Map.of(), "tasks");
        assertFalse(javaRuns().get(0).contains("AOTCache"), "a stale cache is not used: " + read());
        awaitLog("-XX:AOTMode=create");

        Files.writeString(log, "");
        axiom(Map.of("AXIOM_STARTUP_CACHE", "off"), "tasks");
        assertEquals(1, javaRuns().size(), read());
        assertTrue(javaRuns().get(0).contains(" -XX:TieredStopAtLevel=1 ") &&
            !javaRuns().get(0).contains("AOTCache"), read());

        Files.writeString(log, "");
        axiom(Map.of("AXIOM_CLASSPATH", home.resolve(JAR).toString()), "tasks");
        assertFalse(javaRuns().get(0).contains("TieredStopAtLevel"), "a classpath of the caller's: " + read());
    }

    @Test
    void beforeJdk25TheCacheIsADynamicCdsArchive() throws Exception
    {
        Files.writeString(home.resolve("jdk/release"), "JAVA_VERSION=\"21.0.5\"\n");
        axiom(Map.of(), "wal", "dump", "--data-dir", "d");
        awaitFile(home.resolve("gateway/target/axiom-startup.cds.key"));
        assertTrue(read().contains("-XX:ArchiveClassesAtExit="), read());

        Files.writeString(log, "");
        axiom(Map.of(), "wal", "dump", "--data-dir", "d");
        final String run = javaRuns().get(0);
        assertTrue(run.contains(" -XX:SharedArchiveFile=" + home.resolve("gateway/target/axiom-startup.cds") + " "),
            run);
        assertFalse(run.contains("TieredStopAtLevel"), "a whole-log reader keeps the full JIT: " + run);

        Files.writeString(log, "");
        final String noAot = axiom(Map.of("AXIOM_STARTUP_CACHE", "aot"), "tasks", "--server");
        assertTrue(noAot.contains("stub java ran"), "no AOT cache before JDK 25, and no failure: " + noAot);
        assertFalse(javaRuns().get(0).contains("AOTCache") || javaRuns().get(0).contains("SharedArchiveFile"),
            read());
    }

    private String axiom(final Map<String, String> env, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/axiom").toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("AXIOM_") || "JAVA_HOME".equals(k));
        builder.environment().put("AXIOM_JAVA", home.resolve("jdk/bin/java").toString());
        builder.environment().put("AXIOM_MVN", home.resolve("mvn").toString());
        builder.environment().put("STUB_LOG", log.toString());
        builder.environment().putAll(env);
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "bin/axiom did not end: " + output);
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    private List<String> javaRuns() throws IOException
    {
        return read().lines().filter(l -> l.startsWith("java ") && l.contains("io.axiom.gateway.AxiomMain")).toList();
    }

    private long count(final String prefix) throws IOException
    {
        return read().lines().filter(l -> l.startsWith(prefix)).count();
    }

    private String read() throws IOException
    {
        return Files.readString(log);
    }

    private void awaitLog(final String text) throws IOException
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!read().contains(text))
        {
            assertTrue(System.nanoTime() < deadline, "no '" + text + "' in the log:\n" + read());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private void awaitFile(final Path file) throws IOException
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(file))
        {
            assertTrue(System.nanoTime() < deadline, file + " never appeared; log:\n" + read());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static void executable(final Path file, final String text) throws IOException
    {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
