package io.axiom.gateway.cli.client;

import java.io.File;
import java.io.PrintWriter;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusterMarkFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.axiom.cluster.node.ClusterNode;
import io.axiom.cluster.node.ClusterStatus;
import io.axiom.gateway.cli.ClusterLocalCommand;
import io.axiom.gateway.cli.ExitStatus;

/**
 * {@code axiom cluster status}, {@code axiom cluster snapshot} and {@code axiom cluster local}: a replicated cluster
 * seen through one member's REST API ({@code GET /api/v1/cluster}, {@code POST /api/v1/cluster/snapshot}), a member's
 * directory read offline ({@code status --dir}), and N members started on this machine.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "A replicated cluster: one member's view, a cluster snapshot, members on this machine.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
        ClusterCommand.Status.class,
        ClusterCommand.Snapshot.class,
        ClusterLocalCommand.class
    })
public final class ClusterCommand implements Runnable
{
    /** The cluster resource. */
    static final String CLUSTER = "/api/v1/cluster";

    @Spec
    private CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: give one of " +
            String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * {@code axiom cluster status}.
     */
    @Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "One member's view of its cluster: role, leader, term, commit and append positions, snapshots, every " +
                "member's log position and lag (exact on the leader only): GET /api/v1/cluster.",
            "With --dir, read a member's directory instead (no server needed; a stopped member shows " +
                "'not running')."
        })
    public static final class Status extends ClientCommand
    {
        @Option(names = "--dir", paramLabel = "DIR", order = 1,
            description = "a member's directory, read offline: its cluster.dir (default <data-dir>/cluster), the " +
                "'cluster' directory inside it, or its data directory")
        File dir;

        @Option(names = "--query-timeout-ms", paramLabel = "MS", order = 2, defaultValue = "1000",
            description = "with --dir: how long to wait for a running member's answer to the members query " +
                "(default ${DEFAULT-VALUE})")
        long queryTimeoutMs;

        @Override
        protected Integer withoutServer(final PrintWriter out, final PrintWriter err)
        {
            if (null == dir)
            {
                return null;
            }
            if (queryTimeoutMs <= 0)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--query-timeout-ms must be positive");
            }
            final File clusterDir = clusterDir(dir);
            if (null == clusterDir)
            {
                err.println("axiom: no cluster member's directory at " + dir + ": no " + ClusterMarkFile.FILENAME +
                    " in it, in " + ClusterNode.CLUSTER_DIR + "/ or in cluster/" + ClusterNode.CLUSTER_DIR + "/");
                return ExitStatus.EXIT_FAILED;
            }
            final ClusterStatus status;
            try
            {
                status = ClusterStatus.read(clusterDir, queryTimeoutMs);
            }
            catch (final RuntimeException ex)
            {
                err.println("axiom: cannot read the member in " + clusterDir + ": " + ex.getMessage());
                return ExitStatus.EXIT_FAILED;
            }
            final JsonNode view = offlineView(status);
            if (json())
            {
                printJson(out, view);
            }
            else
            {
                out.println("read offline from " + clusterDir);
                print(out, view);
            }
            return ExitStatus.EXIT_OK;
        }

        @Override
        protected int execute(final AxiomClient client, final PrintWriter out)
        {
            final JsonNode view = client.get(CLUSTER).json();
            if (json())
            {
                printJson(out, view);
            }
            else
            {
                print(out, view);
            }
            return ExitStatus.EXIT_OK;
        }
    }

    /**
     * {@code axiom cluster snapshot}.
     */
    @Command(name = "snapshot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Take a snapshot of the whole cluster through the leader and wait for it: POST /api/v1/cluster/snapshot.",
            "Give the leader's URL with --server; a follower answers NOT_LEADER naming the leader."
        })
    public static final class Snapshot extends ClientCommand
    {
        @Option(names = "--timeout-s", paramLabel = "S", order = 1, defaultValue = "120",
            description = "how long to wait for the answer (default ${DEFAULT-VALUE})")
        long timeoutSeconds;

        @Override
        protected int execute(final AxiomClient client, final PrintWriter out)
        {
            if (timeoutSeconds <= 0)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--timeout-s must be positive");
            }
            final JsonNode taken = client.postWaiting(CLUSTER + "/snapshot", null,
                Duration.ofSeconds(timeoutSeconds)).json();
            if (json())
            {
                printJson(out, taken);
            }
            else
            {
                out.println("cluster snapshot taken through member " + Views.text(taken.get("member_id")) +
                    " (term " + Views.text(taken.get("leadership_term_id")) + "): snapshot count " +
                    Views.text(taken.get("snapshot_count")) + ", " + Views.text(taken.get("duration_ms")) + " ms");
            }
            return ExitStatus.EXIT_OK;
        }
    }

    /**
     * @param dir what the user named: a cluster directory, a member's node directory or its data directory.
     * @return the cluster directory (the one holding the mark file), or null when there is none.
     */
    static File clusterDir(final File dir)
    {
        for (final File candidate : new File[]{
            dir, new File(dir, ClusterNode.CLUSTER_DIR), new File(new File(dir, "cluster"), ClusterNode.CLUSTER_DIR) })
        {
            if (new File(candidate, ClusterMarkFile.FILENAME).isFile())
            {
                return candidate;
            }
        }
        return null;
    }

    /**
     * @param status a member read offline.
     * @return the same fields as {@code GET /api/v1/cluster} that a reading from outside knows.
     */
    static ObjectNode offlineView(final ClusterStatus status)
    {
        final ObjectNode json = AxiomClient.MAPPER.createObjectNode();
        json.put("member_id", status.memberId());
        json.put("role", null == status.role() ? null : status.role().name());
        if (status.leaderMemberId() < 0)
        {
            json.putNull("leader_member_id");
        }
        else
        {
            json.put("leader_member_id", status.leaderMemberId());
        }
        json.put("leadership_term_id", status.leadershipTermId());
        json.put("commit_position", status.commitPosition());
        json.put("append_position", status.appendPosition());
        json.put("snapshot_count", status.snapshotCount());
        json.put("election_state", null == status.electionState() ? null : status.electionState().name());
        json.put("module_state", null == status.moduleState() ? null : status.moduleState().name());
        final boolean leader = Cluster.Role.LEADER == status.role();
        json.put("members_exact", leader);
        final ArrayNode members = json.putArray("members");
        for (final ClusterStatus.MemberPosition member : status.members())
        {
            final ObjectNode one = members.addObject();
            one.put("member_id", member.memberId());
            one.put("leader", member.leader());
            one.put("log_position", member.logPosition());
            final long lag = status.lag(member.memberId());
            if (leader && lag >= 0)
            {
                one.put("lag", lag);
            }
            else
            {
                one.putNull("lag");
            }
        }
        return json;
    }

    /**
     * Print a member's view: one line about the member, then a table of every member it knows.
     *
     * @param out  where to print.
     * @param view the JSON of {@code GET /api/v1/cluster} (or of an offline reading).
     */
    static void print(final PrintWriter out, final JsonNode view)
    {
        final JsonNode role = view.get("role");
        out.println("member " + Views.text(view.get("member_id")) + ": " +
            (null == role || role.isNull() ? "not running" : role.asText()) +
            ", leader " + Views.text(view.get("leader_member_id")) +
            ", term " + Views.text(view.get("leadership_term_id")) +
            ", commit " + Views.text(view.get("commit_position")) +
            ", append " + Views.text(view.get("append_position")) +
            ", snapshots " + Views.text(view.get("snapshot_count")) +
            (view.has("connected") ? ", connected " + (view.get("connected").asBoolean() ? "yes" : "no") : "") +
            (view.has("errors") ? ", errors " + Views.text(view.get("errors")) : ""));
        final boolean exact = view.path("members_exact").asBoolean();
        final Table table = new Table("MEMBER", "ROLE", "LOG POSITION", "LAG");
        for (final JsonNode member : view.path("members"))
        {
            table.row(Views.text(member.get("member_id")),
                member.path("leader").asBoolean() ? "LEADER" : exact ? "FOLLOWER" : "-",
                exact ? Views.text(member.get("log_position")) : "-", Views.text(member.get("lag")));
        }
        if (table.size() > 0)
        {
            table.print(out);
        }
        out.println(table.size() + " member(s) known" + (exact ? "" :
            "; members' log positions and lag are known on the leader only: ask the leader's server"));
    }
}
