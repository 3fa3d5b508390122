package io.axiom.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/axiom} sends {@code chaos soak} to this module and every other {@code chaos ...} to the gateway, as a
 * user types them (the launcher runs with this JVM and the test classpath, so it does not build).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ChaosLauncherTest
{
    @Test
    void chaosSoakRunsTheSoakCommand() throws Exception
    {
        final Run help = axiom("chaos", "soak", "--help");
        assertEquals(0, help.status, help.output);
        assertTrue(help.output.contains("Usage: axiom chaos soak"), help.output);
        assertTrue(help.output.contains("--duration=MS") && help.output.contains("--seed=N") &&
            help.output.contains("--data-dir=D") && help.output.contains("--workers=K") &&
            help.output.contains("--rate=R"), help.output);
    }

    @Test
    void aSoakWithoutItsSeedOrWithBadSettingsIsAUsageErrorAndStartsNothing() throws Exception
    {
        final Run noSeed = axiom("chaos", "soak", "--duration", "1000");
        assertEquals(2, noSeed.status, noSeed.output);
        assertTrue(noSeed.output.contains("Missing required option: '--seed=N'"), noSeed.output);

        final Run badRate = axiom("chaos", "soak", "--duration", "1000", "--seed", "1", "--rate", "0");
        assertEquals(2, badRate.status, badRate.output);
        assertTrue(badRate.output.contains("axiom: --rate must be more than 0"), badRate.output);
        assertFalse(badRate.output.contains("[soak]"), badRate.output);
    }

    @Test
    void otherChaosCommandsStayTheGatewaysAndTheHelpListsTheSoak() throws Exception
    {
        final Run run = axiom("chaos", "run", "--help");
        assertEquals(0, run.status, run.output);
        assertTrue(run.output.contains("SCENARIO"), run.output);
        assertFalse(run.output.contains("chaos soak"), run.output);

        final Run help = axiom("--help");
        assertEquals(0, help.status, help.output);
        assertTrue(help.output.contains("chaos soak --duration MS --seed N [--data-dir D] [--workers K] [--rate R]"),
            help.output);
    }

    private record Run(int status, String output)
    {
    }

    private static Run axiom(final String... args) throws IOException, InterruptedException
    {
        final Path launcher = launcher();
        final List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .directory(launcher.getParent().getParent().toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("AXIOM_"));
        builder.environment().put("AXIOM_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        builder.environment().put("AXIOM_CLASSPATH", System.getProperty("java.class.path"));
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("bin/axiom " + String.join(" ", args) + " did not end:\n" + output);
        }
        return new Run(process.exitValue(), output);
    }

    private static Path launcher()
    {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); null != dir; dir = dir.getParent())
        {
            final Path candidate = dir.resolve("bin").resolve("axiom");
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        throw new AssertionError("no bin/axiom above " + System.getProperty("user.dir"));
    }
}
