package io.axiom.gateway.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace per server, each with its own address on a bridge of this machine, so that one server can be
 * cut off from all the others (and from the tests' clients) and joined again: the host end of its veth pair goes
 * down, then up. It needs root and {@code ip} (iproute2); {@link #create} says why when it cannot be had.
 * <p>
 * Layout for {@code n} servers and a subnet {@code 10.251.S.0/24}: the bridge {@code cstXXXXb} holds
 * {@code 10.251.S.1} (the tests' side); server {@code i} runs in namespace {@code cstXXXX-i} ({@code ip netns exec},
 * which execs, so the pid stays the server's) on {@code eth0} with {@code 10.251.S.(10+i)}, its loopback up for what
 * it keeps to itself; the host end of its veth is {@code cstXXXXhI}, a port of the bridge. {@link #close} deletes the
 * namespaces (their veth pairs go with them) and the bridge.
 */
final class IsolatedNetwork implements AutoCloseable
{
    private static final long COMMAND_TIMEOUT_MS = 10_000;

    private final String prefix;
    private final int subnet;
    private final int servers;
    private final List<String> namespaces = new ArrayList<>();
    private boolean bridgeCreated;

    private IsolatedNetwork(final String prefix, final int subnet, final int servers)
    {
        this.prefix = prefix;
        this.subnet = subnet;
        this.servers = servers;
    }

    /**
     * Build the network, or explain why not.
     *
     * @param tag     four hex digits that name the bridge, the veths and the namespaces.
     * @param subnet  the third byte of {@code 10.251.S.0/24}.
     * @param servers how many servers.
     * @param why     receives the reason when the network cannot be built.
     * @return the network, or null (with {@code why} filled) when this machine does not allow it.
     */
    static IsolatedNetwork create(final int tag, final int subnet, final int servers, final StringBuilder why)
    {
        if (!"root".equals(System.getProperty("user.name")))
        {
            why.append("not root (user ").append(System.getProperty("user.name")).append("): network namespaces " +
                "need CAP_NET_ADMIN");
            return null;
        }
        final String existing = run(List.of("ip", "-4", "route", "show", "10.251." + subnet + ".0/24"));
        if (null == existing)
        {
            why.append("'ip' (iproute2) is not usable here");
            return null;
        }
        if (!existing.isBlank())
        {
            why.append("10.251.").append(subnet).append(".0/24 is already routed here: ").append(existing.trim());
            return null;
        }
        final IsolatedNetwork network = new IsolatedNetwork(String.format("cst%04x", tag & 0xFFFF), subnet, servers);
        try
        {
            network.build();
            return network;
        }
        catch (final IllegalStateException ex)
        {
            network.close();
            why.append(ex.getMessage());
            return null;
        }
    }

    private void build()
    {
        final String bridge = prefix + "b";
        must(List.of("ip", "link", "add", bridge, "type", "bridge"));
        bridgeCreated = true;
        must(List.of("ip", "addr", "add", "10.251." + subnet + ".1/24", "dev", bridge));
        must(List.of("ip", "link", "set", bridge, "up"));
        for (int i = 0; i < servers; i++)
        {
            final String ns = namespace(i);
            must(List.of("ip", "netns", "add", ns));
            namespaces.add(ns);
            must(List.of("ip", "link", "add", hostEnd(i), "type", "veth", "peer", "name", "eth0", "netns", ns));
            must(List.of("ip", "link", "set", hostEnd(i), "master", bridge));
            must(List.of("ip", "link", "set", hostEnd(i), "up"));
            must(List.of("ip", "-n", ns, "addr", "add", host(i) + "/24", "dev", "eth0"));
            must(List.of("ip", "-n", ns, "link", "set", "eth0", "up"));
            must(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        }
    }

    /**
     * @param server its index.
     * @return its address.
     */
    String host(final int server)
    {
        return "10.251." + subnet + "." + (10 + server);
    }

    /**
     * @param server its index.
     * @return the command to put before the server's own to run it in its namespace.
     */
    List<String> wrapper(final int server)
    {
        return List.of("ip", "netns", "exec", namespace(server));
    }

    /**
     * Cut the server off from every other one and from this machine: nothing in, nothing out.
     *
     * @param server its index.
     */
    void cut(final int server)
    {
        must(List.of("ip", "link", "set", hostEnd(server), "down"));
    }

    /**
     * Join the server again.
     *
     * @param server its index.
     */
    void heal(final int server)
    {
        must(List.of("ip", "link", "set", hostEnd(server), "up"));
    }

    @Override
    public void close()
    {
        for (final String ns : namespaces)
        {
            run(List.of("ip", "netns", "del", ns));
        }
        namespaces.clear();
        if (bridgeCreated)
        {
            run(List.of("ip", "link", "del", prefix + "b"));
            bridgeCreated = false;
        }
    }

    private String namespace(final int server)
    {
        return prefix + "-" + server;
    }

    private String hostEnd(final int server)
    {
        return prefix + "h" + server;
    }

    private static void must(final List<String> command)
    {
        final StringBuilder output = new StringBuilder();
        if (null == run(command, output))
        {
            throw new IllegalStateException("'" + String.join(" ", command) + "' failed: " + output.toString().trim());
        }
    }

    private static String run(final List<String> command)
    {
        return run(command, new StringBuilder());
    }

    /**
     * @return the command's output, or null when it failed (not found, non-zero exit, too slow); the output, or the
     * reason, also goes to {@code diagnostics}.
     */
    private static String run(final List<String> command, final StringBuilder diagnostics)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            diagnostics.append(output);
            if (!process.waitFor(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                diagnostics.append("(no exit within ").append(COMMAND_TIMEOUT_MS).append(" ms)");
                return null;
            }
            return 0 == process.exitValue() ? output : null;
        }
        catch (final IOException ex)
        {
            diagnostics.append(ex);
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
