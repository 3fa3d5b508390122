package io.axiom.gateway.graphql;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.axiom.gateway.NpmPackages;

import com.fasterxml.jackson.databind.JsonNode;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The independent client: Node with the {@code graphql-ws} library, installed by npm under
 * {@code target/node-client} from the pinned {@code node-client/package.json} beside this package in the test
 * resources. No network at all is a test failure with the reason, never a skip.
 */
final class NodeClient implements AutoCloseable
{
    /** The packages (name, version) the script needs, as pinned in {@code package.json}. */
    static final Map<String, String> PACKAGES = Map.of("graphql", "16.11.0", "graphql-ws", "6.0.6", "ws", "8.18.3");

    private static final long RUN_TIMEOUT_SECONDS = 90;

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final Thread reader;

    private NodeClient(final Process process)
    {
        this.process = process;
        this.reader = Thread.ofVirtual().start(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignore)
            {
                // the process ended
            }
            lines.add("EOF");
        });
    }

    /**
     * Install the client's packages unless they are already there in the pinned versions.
     *
     * @return the directory holding the script and its {@code node_modules}.
     */
    static Path install()
    {
        return NpmPackages.install("node-client", "io/axiom/gateway/graphql/node-client/",
            List.of("package.json", "follow-workflow.mjs"), PACKAGES);
    }

    /**
     * @param dir        where {@link #install()} put the client.
     * @param url        the WebSocket URL.
     * @param workflowId the workflow to follow.
     * @return the running client.
     */
    static NodeClient follow(final Path dir, final String url, final String workflowId)
    {
        try
        {
            return new NodeClient(new ProcessBuilder("node", "follow-workflow.mjs", url, workflowId)
                .directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start());
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot start node (is it installed and on the PATH?): " + ex, ex);
        }
    }

    /**
     * @return the next line the script printed, waiting a bounded time.
     */
    String nextLine()
    {
        try
        {
            final String line = lines.poll(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(line, "the node client printed nothing for " + RUN_TIMEOUT_SECONDS + " s; so far " + all);
            all.add(line);
            return line;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /**
     * @return the next line as JSON.
     */
    JsonNode nextJson()
    {
        return parse(nextLine());
    }

    /**
     * @param line a line the script printed.
     * @return it as JSON.
     */
    JsonNode parse(final String line)
    {
        try
        {
            return GraphQlHttp.MAPPER.readTree(line);
        }
        catch (final IOException ex)
        {
            throw new AssertionError("the node client printed a line that is not JSON: " + line + "; so far " + all);
        }
    }

    /**
     * @return the script's exit code, waiting a bounded time.
     */
    int awaitExit()
    {
        try
        {
            if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                fail("the node client did not exit within " + RUN_TIMEOUT_SECONDS + " s; it printed " + all);
            }
            reader.join(TimeUnit.SECONDS.toMillis(RUN_TIMEOUT_SECONDS));
            return process.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    @Override
    public void close()
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try
        {
            process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

}
