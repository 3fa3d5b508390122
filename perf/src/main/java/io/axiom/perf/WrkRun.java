package io.axiom.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of {@code wrk} (the closed-loop HTTP benchmark tool, an independent cross-check of the harness's own
 * generator): its command, its output and the figures parsed from it.
 */
final class WrkRun
{
    private static final Pattern REQUESTS_PER_SEC = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("([0-9]+) requests in ([0-9.]+\\w+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|75|90|99)%\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+([0-9]+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
        "Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)");

    final String label;
    final List<String> command;
    String output = "";
    int exitCode = -1;
    double requestsPerSec;
    long requests;
    String elapsed = "";
    final String[] percentiles = {"", "", "", ""}; // 50, 75, 90, 99
    long non2xx;
    String socketErrors = "0";

    private WrkRun(final String label, final List<String> command)
    {
        this.label = label;
        this.command = command;
    }

    /**
     * Whether {@code wrk} is on the PATH.
     */
    static boolean available()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":"))
        {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "wrk")))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Write a wrk Lua script that sends {@code POST path} with a JSON body.
     */
    static Path postScript(final Path dir, final String path, final String jsonBody) throws IOException
    {
        final String escaped = jsonBody.replace("\\", "\\\\").replace("'", "\\'");
        final String lua = String.join("\n",
            "-- POST " + path + " with a JSON body (written by PerfMain http)",
            "wrk.method = 'POST'",
            "wrk.path = '" + path + "'",
            "wrk.body = '" + escaped + "'",
            "wrk.headers['Content-Type'] = 'application/json'",
            "");
        final Path script = dir.resolve("wrk-post.lua");
        Files.writeString(script, lua, StandardCharsets.UTF_8);
        return script;
    }

    /**
     * Run wrk with these arguments (bounded: it is killed 30 s after its own duration) and parse its output.
     */
    static WrkRun run(final String label, final List<String> args, final double durationS)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add("wrk");
        command.addAll(args);
        final WrkRun run = new WrkRun(label, command);
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[][] out = new byte[1][];
        final Thread reader = Thread.ofPlatform().daemon(true).start(() ->
        {
            try
            {
                out[0] = p.getInputStream().readAllBytes();
            }
            catch (final IOException ex)
            {
                out[0] = ("(output lost: " + ex + ")").getBytes(StandardCharsets.UTF_8);
            }
        });
        if (!p.waitFor((long)(durationS * 1000) + 30_000, TimeUnit.MILLISECONDS))
        {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        reader.join(5_000);
        run.exitCode = p.isAlive() ? -1 : p.exitValue();
        run.output = null == out[0] ? "" : new String(out[0], StandardCharsets.UTF_8);
        run.parse();
        return run;
    }

    private void parse()
    {
        Matcher m = REQUESTS_PER_SEC.matcher(output);
        if (m.find())
        {
            requestsPerSec = Double.parseDouble(m.group(1));
        }
        m = TOTAL.matcher(output);
        if (m.find())
        {
            requests = Long.parseLong(m.group(1));
            elapsed = m.group(2);
        }
        m = PERCENTILE.matcher(output);
        while (m.find())
        {
            final int i = switch (m.group(1))
            {
                case "50" -> 0;
                case "75" -> 1;
                case "90" -> 2;
                default -> 3;
            };
            percentiles[i] = m.group(2);
        }
        m = NON_2XX.matcher(output);
        if (m.find())
        {
            non2xx = Long.parseLong(m.group(1));
        }
        m = SOCKET_ERRORS.matcher(output);
        if (m.find())
        {
            socketErrors = "connect " + m.group(1) + ", read " + m.group(2) + ", write " + m.group(3) +
                ", timeout " + m.group(4);
        }
    }
}
