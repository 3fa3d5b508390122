package io.axiom.cluster.node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The members of a cluster and their five endpoints each, parsed and checked once.
 * <p>
 * Two forms are accepted, members separated by {@code |}:
 * <ul>
 *     <li>Aeron's full form, {@code id,ingress,consensus,log,catchup,archive} with each endpoint {@code host:port};
 *     </li>
 *     <li>the short form {@code id,host:basePort}, whose five ports are {@code basePort + 0..4} in the same order
 *     (ingress, consensus, log, catchup, archive).</li>
 * </ul>
 * A host may be an IPv6 literal in brackets ({@code [::1]:9000}).
 */
public final class ClusterMembers
{
    /**
     * How many ports a member of the short form takes from its base port.
     */
    public static final int PORTS_PER_MEMBER = 5;

    /**
     * Port step between members built by {@link #local(int, int)}.
     */
    public static final int LOCAL_PORT_STEP = 10;

    /**
     * One member: its id and endpoints ({@code host:port}).
     *
     * @param id        the member id.
     * @param ingress   where clients send commands.
     * @param consensus where members talk consensus.
     * @param log       where the leader sends the log to this member.
     * @param catchup   where this member receives a catch-up replay.
     * @param archive   this member's archive control endpoint.
     */
    public record Member(int id, String ingress, String consensus, String log, String catchup, String archive)
    {
        /**
         * @return the host of the consensus endpoint, the address other members reach this one on.
         */
        public String host()
        {
            return consensus.substring(0, consensus.lastIndexOf(':'));
        }

        /**
         * @return this member in Aeron's full form.
         */
        public String toAeron()
        {
            return id + "," + ingress + "," + consensus + "," + log + "," + catchup + "," + archive;
        }
    }

    private final List<Member> members;

    private ClusterMembers(final List<Member> members)
    {
        this.members = Collections.unmodifiableList(members);
    }

    /**
     * Parse a member list in the full or the short form (the forms may be mixed, member by member).
     *
     * @param value the member list.
     * @return the members.
     * @throws IllegalArgumentException naming what is wrong: an empty list, a bad id or endpoint, a duplicate id or
     *                                  endpoint.
     */
    public static ClusterMembers parse(final String value)
    {
        if (null == value || value.isBlank())
        {
            throw new IllegalArgumentException("cluster members: empty; expected \"0,host:port|1,host:port|...\" " +
                "or Aeron's \"0,ingress,consensus,log,catchup,archive|1,...\"");
        }

        final List<Member> members = new ArrayList<>();
        final Set<Integer> ids = new HashSet<>();
        final Set<String> endpoints = new HashSet<>();
        for (final String part : value.trim().split("\\|", -1))
        {
            final Member member = parseMember(part.trim());
            if (!ids.add(member.id()))
            {
                throw new IllegalArgumentException("cluster members: member id " + member.id() +
                    " is listed twice in \"" + value + "\"");
            }
            for (final String endpoint : new String[]{
                member.ingress(), member.consensus(), member.log(), member.catchup(), member.archive() })
            {
                if (!endpoints.add(endpoint))
                {
                    throw new IllegalArgumentException("cluster members: endpoint " + endpoint +
                        " is used twice in \"" + value + "\"");
                }
            }
            members.add(member);
        }
        return new ClusterMembers(members);
    }

    /**
     * Members {@code 0..nodes-1} on localhost in the short form, member {@code i} on base port
     * {@code basePort + i * 10}.
     *
     * @param nodes    how many members, at least 1.
     * @param basePort member 0's base port.
     * @return the members.
     */
    public static ClusterMembers local(final int nodes, final int basePort)
    {
        if (nodes < 1)
        {
            throw new IllegalArgumentException("cluster members: at least one node, not " + nodes);
        }
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nodes; i++)
        {
            if (i > 0)
            {
                sb.append('|');
            }
            sb.append(i).append(",localhost:").append(basePort + i * LOCAL_PORT_STEP);
        }
        return parse(sb.toString());
    }

    /**
     * @return the members in the order listed.
     */
    public List<Member> members()
    {
        return members;
    }

    /**
     * @return how many members.
     */
    public int size()
    {
        return members.size();
    }

    /**
     * @param memberId a member id.
     * @return true when the member is listed.
     */
    public boolean contains(final int memberId)
    {
        for (final Member member : members)
        {
            if (member.id() == memberId)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param memberId a listed member id.
     * @return the member.
     * @throws IllegalArgumentException when it is not listed.
     */
    public Member member(final int memberId)
    {
        for (final Member member : members)
        {
            if (member.id() == memberId)
            {
                return member;
            }
        }
        throw new IllegalArgumentException("cluster members: member id " + memberId + " is not in \"" +
            aeronMembers() + "\"");
    }

    /**
     * @return the list in Aeron's full form ({@code ConsensusModule.Context.clusterMembers}).
     */
    public String aeronMembers()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Member member : members)
        {
            if (!sb.isEmpty())
            {
                sb.append('|');
            }
            sb.append(member.toAeron());
        }
        return sb.toString();
    }

    /**
     * @return the ingress endpoints for clients, {@code "0=host:port,1=host:port"}
     * ({@code AeronCluster.Context.ingressEndpoints}).
     */
    public String ingressEndpoints()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Member member : members)
        {
            if (!sb.isEmpty())
            {
                sb.append(',');
            }
            sb.append(member.id()).append('=').append(member.ingress());
        }
        return sb.toString();
    }

    /**
     * @param memberId a listed member id.
     * @return its archive control endpoint, {@code host:port}.
     */
    public String archiveEndpoint(final int memberId)
    {
        return member(memberId).archive();
    }

    @Override
    public String toString()
    {
        return aeronMembers();
    }

    private static Member parseMember(final String part)
    {
        final String[] fields = part.split(",", -1);
        if (2 != fields.length && 6 != fields.length)
        {
            throw new IllegalArgumentException("cluster members: \"" + part + "\" has " + fields.length +
                " fields; expected \"id,host:basePort\" or \"id,ingress,consensus,log,catchup,archive\"");
        }
        final int id = parseId(part, fields[0].trim());
        if (2 == fields.length)
        {
            final String host = host(part, fields[1].trim());
            final int basePort = port(part, fields[1].trim());
            if (basePort + PORTS_PER_MEMBER - 1 > 65535)
            {
                throw new IllegalArgumentException("cluster members: \"" + part + "\": base port " + basePort +
                    " leaves no room for its " + PORTS_PER_MEMBER + " ports (at most " +
                    (65535 - PORTS_PER_MEMBER + 1) + ")");
            }
            return new Member(
                id,
                host + ":" + basePort,
                host + ":" + (basePort + 1),
                host + ":" + (basePort + 2),
                host + ":" + (basePort + 3),
                host + ":" + (basePort + 4));
        }
        return new Member(
            id,
            endpoint(part, fields[1].trim()),
            endpoint(part, fields[2].trim()),
            endpoint(part, fields[3].trim()),
            endpoint(part, fields[4].trim()),
            endpoint(part, fields[5].trim()));
    }

    private static int parseId(final String part, final String text)
    {
        try
        {
            final int id = Integer.parseInt(text);
            if (id < 0)
            {
                throw new NumberFormatException();
            }
            return id;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("cluster members: \"" + part + "\": member id \"" + text +
                "\" is not a non-negative integer");
        }
    }

    private static String endpoint(final String part, final String text)
    {
        return host(part, text) + ":" + port(part, text);
    }

    private static String host(final String part, final String endpoint)
    {
        final int colon = endpoint.lastIndexOf(':');
        final String host = colon < 0 ? "" : endpoint.substring(0, colon);
        if (host.isEmpty() || (host.indexOf(':') >= 0 && !(host.startsWith("[") && host.endsWith("]"))))
        {
            throw new IllegalArgumentException("cluster members: \"" + part + "\": endpoint \"" + endpoint +
                "\" is not host:port (an IPv6 host goes in brackets)");
        }
        return host;
    }

    private static int port(final String part, final String endpoint)
    {
        final String text = endpoint.substring(endpoint.lastIndexOf(':') + 1);
        try
        {
            final int port = Integer.parseInt(text);
            if (port < 1 || port > 65535)
            {
                throw new NumberFormatException();
            }
            return port;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("cluster members: \"" + part + "\": port \"" + text + "\" of \"" +
                endpoint + "\" is not in 1..65535");
        }
    }
}
