package io.axiom.gateway.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.axiom.gateway.NpmPackages;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The browser side of the console's tests: {@code console-check.mjs} (a test resource beside this package) drives
 * Debian's headless Chromium through npm's {@code playwright-core}, installed by npm under
 * {@code target/console-browser} from the pinned {@code package.json}. The script prints one line per check
 * ({@code CHECK name PASS|FAIL detail}), asks the test to act on the server ({@code NEED action args}, answered on
 * its stdin with {@code DONE [json]}) and ends with {@code END}. No npm registry or no Chromium is a failure with
 * the reason, never a skip.
 */
final class ConsoleBrowser
{
    /** Where Debian's {@code chromium} package installs the browser (the script names the same path). */
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    /** The pinned driver, as in {@code package.json}. */
    static final String PLAYWRIGHT_CORE = "1.65.1";
    /** Where screenshots go: on a failed check always, after every check with -Daxiom.console.screenshots=all. */
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots").toAbsolutePath();

    private static final String RESOURCES = "io/axiom/gateway/console/browser/";
    private static final long LINE_TIMEOUT_SECONDS = 60;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ConsoleBrowser()
    {
    }

    /**
     * The outcome of one run of the script.
     *
     * @param checks every check's verdict and detail, by name, in the order run.
     * @param output every line the script printed.
     */
    record Run(Map<String, String> checks, List<String> output)
    {
        /**
         * @param name a check.
         * @return its detail, failing the test with the script's output unless it passed.
         */
        String passed(final String name)
        {
            final String line = checks.get(name);
            if (null == line)
            {
                fail("check " + name + " did not run; the script printed:\n" + String.join("\n", output));
            }
            if (!line.startsWith("PASS"))
            {
                fail("check " + name + " failed (screenshot under " + SCREENSHOTS + "): " + line +
                    "\nthe script printed:\n" + String.join("\n", output));
            }
            return line.substring("PASS".length()).trim();
        }
    }

    /**
     * Install the driver unless it is there in the pinned version, and run the script to its end.
     *
     * @param mode    main, token or search.
     * @param baseUrl the server, e.g. http://127.0.0.1:PORT.
     * @param config  what the test prepared (ids, names), handed to the script as JSON.
     * @param actions answers the script's NEED lines: given the words after NEED, the JSON (or null) to answer.
     * @return its checks.
     */
    static Run run(
        final String mode, final String baseUrl, final Map<String, Object> config,
        final Function<String[], Object> actions)
    {
        if (!Files.isExecutable(CHROMIUM))
        {
            fail(CHROMIUM + " is missing: install it (Debian: apt-get install -y chromium); this test does not skip");
        }
        final Path dir = install();
        final List<String> command = new ArrayList<>(List.of("node", "console-check.mjs", mode, baseUrl,
            SCREENSHOTS.toString(), json(config)));
        if ("all".equals(System.getProperty("axiom.console.screenshots")))
        {
            command.add("all");
        }
        final Process process;
        try
        {
            process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot start node (is it installed and on the PATH?): " + ex, ex);
        }
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread reader = Thread.ofVirtual().start(() -> read(process.getInputStream(), lines));
        final Map<String, String> checks = new LinkedHashMap<>();
        final List<String> output = new ArrayList<>();
        try (Writer toScript = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8))
        {
            while (true)
            {
                final String line = lines.poll(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (null == line)
                {
                    fail("the browser script printed nothing for " + LINE_TIMEOUT_SECONDS + " s; so far:\n" +
                        String.join("\n", output));
                }
                output.add(line);
                System.out.println("[console-check " + mode + "] " + line);
                if (line.equals("EOF") || line.startsWith("END"))
                {
                    break;
                }
                if (line.startsWith("CHECK "))
                {
                    final String[] parts = line.split(" ", 3);
                    checks.put(parts[1], parts.length > 2 ? parts[2] : "");
                }
                else if (line.startsWith("NEED "))
                {
                    final String[] words = line.substring("NEED ".length()).split(" ");
                    final Object answer = actions.apply(words);
                    toScript.write("DONE" + (null == answer ? "" : " " + json(answer)) + "\n");
                    toScript.flush();
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
        finally
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try
            {
                process.waitFor(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                reader.join(TimeUnit.SECONDS.toMillis(LINE_TIMEOUT_SECONDS));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        return new Run(checks, output);
    }

    private static void read(final InputStream in, final BlockingQueue<String> lines)
    {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                lines.add(line);
            }
        }
        catch (final IOException ignore)
        {
            // the process ended
        }
        lines.add("EOF");
    }

    private static Path install()
    {
        try
        {
            Files.createDirectories(SCREENSHOTS);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return NpmPackages.install("console-browser", RESOURCES, List.of("package.json", "console-check.mjs"),
            Map.of("playwright-core", PLAYWRIGHT_CORE));
    }

    private static String json(final Object value)
    {
        try
        {
            return MAPPER.writeValueAsString(value);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
