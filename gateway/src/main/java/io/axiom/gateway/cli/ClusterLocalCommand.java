package io.axiom.gateway.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import io.axiom.cluster.node.ClusterMembers;

/**
 * {@code axiom cluster local --nodes N}: N cluster members on this machine, each a child process
 * {@code bin/axiom server --cluster ...} (found through {@code $AXIOM_LAUNCHER}, which {@code bin/axiom} exports).
 * Member {@code i} serves HTTP on {@code --port + i} (every member on an ephemeral port when {@code --port} is 0),
 * keeps its data in {@code DATA/node-i}, takes workers on {@code aeron:udp?endpoint=localhost:(ingress-port + i)}, and
 * the members are {@code ClusterMembers.local(N, base-port)}. Each child's output is copied line by line prefixed
 * {@code [node-i] }; once a member listens one line {@code node-i URL (member i, data DIR)} is printed. A SIGINT or
 * SIGTERM stops every child (SIGTERM, up to {@link #STOP_TIMEOUT_S} s, then SIGKILL) before this process ends; so
 * does a child that ends by itself while the others run on (exit 1 once all are gone).
 */
@Command(name = "local", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Start N cluster members on this machine as child processes of bin/axiom server --cluster, copy their " +
            "output prefixed [node-i], print each member's URL once it listens, and stop them all on Ctrl-C " +
            "(SIGINT) or SIGTERM.",
        "Arguments after -- go to every member's server command, e.g. -- --wal.fsync false."
    })
public final class ClusterLocalCommand implements Callable<Integer>, EnvironmentAware
{
    /** The environment variable naming the launcher script, exported by {@code bin/axiom}. */
    public static final String LAUNCHER_ENV = "AXIOM_LAUNCHER";
    /** How long the children get to stop after SIGTERM before they are killed. */
    public static final long STOP_TIMEOUT_S = 30;
    /** The line announcing a member's URL: group 1 is the member id, group 2 the URL. */
    public static final Pattern MEMBER_URL = Pattern.compile("^node-(\\d+) (http://\\S+) ");

    private static final Pattern LISTENING = Pattern.compile(ServerCommand.LISTENING + "(http://[^\\s\"]+)");

    @Spec
    private CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", order = 1, defaultValue = "3",
        description = "how many members (default ${DEFAULT-VALUE}; 3 or 5 tolerate 1 or 2 down)")
    int nodes;

    @Option(names = "--base-port", paramLabel = "PORT", order = 2, defaultValue = "20000",
        description = "member 0's first cluster port; member i uses PORT+10i .. PORT+10i+4 (default ${DEFAULT-VALUE})")
    int basePort;

    @Option(names = "--port", paramLabel = "PORT", order = 3, defaultValue = "4000",
        description = "member 0's HTTP port, member i's is PORT+i; 0 = ephemeral for all (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", order = 4, defaultValue = "./data-cluster",
        description = "member i keeps its data in DIR/node-i (default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--ingress-port", paramLabel = "PORT", order = 5, defaultValue = "40123",
        description = "member i takes workers over Aeron on localhost:PORT+i (default ${DEFAULT-VALUE})")
    int ingressPort;

    @Parameters(paramLabel = "SERVER_FLAG", arity = "0..*",
        description = "more flags for every member's server command, after --")
    List<String> serverFlags = new ArrayList<>();

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(final Map<String, String> env)
    {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        validate();
        final String launcher = env.get(LAUNCHER_ENV);
        if (null == launcher || launcher.isBlank() || !new File(launcher).canExecute())
        {
            err.println("axiom: cluster local starts its members with bin/axiom, and $" + LAUNCHER_ENV + " (which " +
                "bin/axiom exports) " + (null == launcher || launcher.isBlank() ? "is not set" : "is not an " +
                "executable: " + launcher) + "; run it as bin/axiom cluster local");
            err.flush();
            return ExitStatus.EXIT_USAGE;
        }
        final ClusterMembers members = ClusterMembers.local(nodes, basePort);

        final List<Process> children = new ArrayList<>();
        final List<Thread> readers = new ArrayList<>();
        final CountDownLatch listening = new CountDownLatch(nodes);
        final AtomicBoolean stopping = new AtomicBoolean();
        final Thread hook = new Thread(() ->
        {
            if (stopping.compareAndSet(false, true))
            {
                stopAll(children, readers, out);
            }
        }, "axiom-cluster-local-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            for (int i = 0; i < nodes; i++)
            {
                final Path nodeDir = dataDir.resolve("node-" + i);
                Files.createDirectories(nodeDir);
                final List<String> command = new ArrayList<>(List.of(launcher, "server",
                    "--cluster", "true",
                    "--member-id", Integer.toString(i),
                    "--cluster-members", members.aeronMembers(),
                    "--port", Integer.toString(0 == port ? 0 : port + i),
                    "--data-dir", nodeDir.toString(),
                    "--ingress", "aeron:udp?endpoint=localhost:" + (ingressPort + i)));
                command.addAll(serverFlags);
                final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
                synchronized (children)
                {
                    children.add(child);
                }
                final int member = i;
                final Thread reader = Thread.ofPlatform().daemon().name("node-" + i + "-output").start(() ->
                    copy(child, member, nodeDir, out, listening));
                synchronized (readers)
                {
                    readers.add(reader);
                }
            }
            synchronized (out)
            {
                out.println("cluster local: " + nodes + " member(s) starting, cluster ports from " + basePort +
                    " (member i: " + basePort + "+10i .. +4), data in " + dataDir + "; Ctrl-C stops them all");
                out.flush();
            }
            final CompletableFuture<?>[] exits = new CompletableFuture<?>[children.size()];
            for (int i = 0; i < exits.length; i++)
            {
                exits[i] = children.get(i).onExit();
            }
            CompletableFuture.anyOf(exits).join();
            if (stopping.compareAndSet(false, true))
            {
                final Process ended = firstEnded(children);
                synchronized (out)
                {
                    out.println("cluster local: node-" + children.indexOf(ended) + " ended (exit " +
                        ended.exitValue() + "); stopping the others");
                    out.flush();
                }
                stopAll(children, readers, out);
            }
            return ExitStatus.EXIT_FAILED;
        }
        catch (final IOException ex)
        {
            err.println("axiom: cluster local: cannot start a member: " + ex.getMessage());
            err.flush();
            if (stopping.compareAndSet(false, true))
            {
                stopAll(children, readers, out);
            }
            return ExitStatus.EXIT_FAILED;
        }
        finally
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ex)
            {
                // shutting down: the hook runs
            }
        }
    }

    private void validate()
    {
        final CommandLine line = spec.commandLine();
        if (nodes < 1 || nodes > 9)
        {
            throw new CommandLine.ParameterException(line, "--nodes must be 1..9, not " + nodes);
        }
        if (basePort < 1 || basePort + (nodes - 1) * ClusterMembers.LOCAL_PORT_STEP +
            ClusterMembers.PORTS_PER_MEMBER - 1 > 65535)
        {
            throw new CommandLine.ParameterException(line, "--base-port " + basePort + " leaves no room for " +
                nodes + " member(s) of " + ClusterMembers.PORTS_PER_MEMBER + " ports, " +
                ClusterMembers.LOCAL_PORT_STEP + " apart");
        }
        if (port < 0 || port + nodes - 1 > 65535)
        {
            throw new CommandLine.ParameterException(line, "--port " + port + " leaves no room for " + nodes +
                " HTTP port(s)");
        }
        if (ingressPort < 1 || ingressPort + nodes - 1 > 65535)
        {
            throw new CommandLine.ParameterException(line, "--ingress-port " + ingressPort + " leaves no room for " +
                nodes + " worker ingress port(s)");
        }
    }

    private static void copy(
        final Process child,
        final int member,
        final Path nodeDir,
        final PrintWriter out,
        final CountDownLatch listening)
    {
        boolean announced = false;
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                synchronized (out)
                {
                    out.println("[node-" + member + "] " + line);
                    final Matcher matcher = LISTENING.matcher(line);
                    if (!announced && matcher.find())
                    {
                        announced = true;
                        out.println("node-" + member + " " + matcher.group(1) + " (member " + member + ", data " +
                            nodeDir + ")");
                        listening.countDown();
                        if (0 == listening.getCount())
                        {
                            out.println("cluster local: every member listens; " +
                                "bin/axiom cluster status --server URL shows one member's view");
                        }
                    }
                    out.flush();
                }
            }
        }
        catch (final IOException ex)
        {
            // the child's pipe closed: it ended
        }
    }

    private static Process firstEnded(final List<Process> children)
    {
        synchronized (children)
        {
            for (final Process child : children)
            {
                if (!child.isAlive())
                {
                    return child;
                }
            }
        }
        return null;
    }

    /**
     * SIGTERM every child still running, wait up to {@link #STOP_TIMEOUT_S} s for all, SIGKILL those left, and let
     * their output drain.
     */
    private static void stopAll(final List<Process> children, final List<Thread> readers, final PrintWriter out)
    {
        final List<Process> all;
        synchronized (children)
        {
            all = List.copyOf(children);
        }
        for (final Process child : all)
        {
            if (child.isAlive())
            {
                child.toHandle().destroy(); // SIGTERM: each member stops cleanly (Process.destroy would close pipes)
            }
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_TIMEOUT_S);
        for (final Process child : all)
        {
            try
            {
                final long leftNs = Math.max(0, deadlineNs - System.nanoTime());
                if (!child.waitFor(leftNs, TimeUnit.NANOSECONDS))
                {
                    synchronized (out)
                    {
                        out.println("cluster local: node-" + all.indexOf(child) + " did not stop within " +
                            STOP_TIMEOUT_S + " s: killed");
                        out.flush();
                    }
                    child.destroyForcibly();
                    child.waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                child.destroyForcibly();
            }
        }
        final List<Thread> threads;
        synchronized (readers)
        {
            threads = List.copyOf(readers);
        }
        for (final Thread reader : threads)
        {
            try
            {
                reader.join(TimeUnit.SECONDS.toMillis(2));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (out)
        {
            out.println("cluster local: every member stopped");
            out.flush();
        }
    }
}
