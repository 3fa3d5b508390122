package io.axiom.gateway.cluster;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aeron.cluster.service.Cluster;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.axiom.cluster.node.ClusterControl;
import io.axiom.cluster.node.ClusterStatus;
import io.axiom.cluster.service.ReplicatedEngine;
import io.axiom.gateway.http.ApiProblem;
import io.axiom.gateway.http.ClusterMembership;
import io.axiom.gateway.http.GatewayModule;
import io.axiom.gateway.http.GatewaySettings;
import io.axiom.gateway.http.RequestParser;
import io.axiom.gateway.http.Responses;

/**
 * {@code GET /api/v1/cluster}: this member's view of its cluster, read from outside its node
 * ({@link ClusterStatus#read}: counters, recording log, a members query bounded by {@link #QUERY_TIMEOUT_MS}); reads
 * are serialised and a reading younger than {@link #MAX_READING_AGE_MS} is answered again, so that pollers cost one
 * members query per interval. {@code POST /api/v1/cluster/snapshot}: a snapshot of the whole cluster through this
 * member, which must be the leader ({@link ClusterControl#snapshot}), 201 once this member's snapshot counter moved.
 * On a single node both answer 404 {@code NOT_CLUSTERED}.
 */
public final class ClusterModule implements GatewayModule
{
    /** This member's view of the cluster. */
    public static final String PATH = "/api/v1/cluster";
    /** Take a cluster snapshot. */
    public static final String SNAPSHOT = PATH + "/snapshot";
    /** How long the members query of a status read waits for the node's answer. */
    public static final long QUERY_TIMEOUT_MS = 1_000;
    /** How old a status reading may be and still be answered again. */
    public static final long MAX_READING_AGE_MS = 250;

    private static final long LOCK_WAIT_MS = 3 * QUERY_TIMEOUT_MS;

    private final ReplicatedEngine replicated;
    private final GatewaySettings settings;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock snapshotLock = new ReentrantLock();
    private long lastReadNs;
    private ClusterStatus lastStatus;

    /**
     * @param replicated this server's part in a cluster, or null on a single node.
     * @param settings   the request timeout, which bounds a snapshot's wait.
     */
    public ClusterModule(final ReplicatedEngine replicated, final GatewaySettings settings)
    {
        this.replicated = replicated;
        this.settings = settings;
    }

    /**
     * @return what {@code /ready} reports of this member, or null on a single node.
     */
    public ClusterMembership membership()
    {
        if (null == replicated)
        {
            return null;
        }
        return new ClusterMembership()
        {
            public int memberId()
            {
                return replicated.node().memberId();
            }

            public String role()
            {
                return replicated.node().role().name();
            }

            public int leaderMemberId()
            {
                return replicated.leaderMemberId();
            }

            public boolean connected()
            {
                return replicated.connected();
            }
        };
    }

    /**
     * @return this member's Prometheus families, or null on a single node.
     */
    public ClusterMetrics metrics()
    {
        return null == replicated ? null : new ClusterMetrics(replicated);
    }

    @Override
    public void routes(final HttpRouting.Builder routing)
    {
        routing
            .get(PATH, this::status)
            .post(SNAPSHOT, this::snapshot)
            .any(PATH, (req, res) -> notAllowed(req, res, "GET"))
            .any(SNAPSHOT, (req, res) -> notAllowed(req, res, "POST"));
    }

    private void status(final ServerRequest req, final ServerResponse res)
    {
        try
        {
            Responses.json(res, 200, write(status()));
        }
        catch (final ApiProblem problem)
        {
            Responses.problem(req, res, problem);
        }
    }

    /**
     * @return this member's view, the body of {@code GET /api/v1/cluster}.
     * @throws ApiProblem 404 {@code NOT_CLUSTERED} on a single node; 503 when the status cannot be read now.
     */
    public ObjectNode status()
    {
        requireClustered();
        return view(read(), replicated);
    }

    private ClusterStatus read()
    {
        boolean locked = false;
        try
        {
            locked = readLock.tryLock(LOCK_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (!locked)
        {
            throw new ApiProblem(503, "CLUSTER_STATUS_BUSY", Responses.title(503),
                "other requests are reading this member's cluster status; retry shortly", "1");
        }
        try
        {
            final long now = System.nanoTime();
            if (null == lastStatus || now - lastReadNs > TimeUnit.MILLISECONDS.toNanos(MAX_READING_AGE_MS))
            {
                lastStatus = ClusterStatus.read(replicated.node().clusterDir(), QUERY_TIMEOUT_MS);
                lastReadNs = System.nanoTime();
            }
            return lastStatus;
        }
        catch (final RuntimeException ex)
        {
            throw new ApiProblem(503, "CLUSTER_STATUS_UNAVAILABLE", Responses.title(503),
                "this member's cluster status cannot be read: " + ex.getMessage(), "1");
        }
        finally
        {
            readLock.unlock();
        }
    }

    private void snapshot(final ServerRequest req, final ServerResponse res)
    {
        try
        {
            Responses.json(res, 201, write(takeSnapshot()));
        }
        catch (final ApiProblem problem)
        {
            Responses.problem(req, res, problem);
        }
    }

    /**
     * Take a cluster snapshot through this member, which must be the leader, and wait until its snapshot counter
     * moves (at most the gateway's request timeout).
     *
     * @return the body of {@code POST /api/v1/cluster/snapshot}'s 201.
     * @throws ApiProblem 404 {@code NOT_CLUSTERED}, 409 {@code NOT_LEADER} or {@code SNAPSHOT_IN_PROGRESS}, 503
     *                    {@code CLUSTER_SNAPSHOT_FAILED}.
     */
    public ObjectNode takeSnapshot()
    {
        requireClustered();
        final Cluster.Role role = replicated.node().role();
        if (Cluster.Role.LEADER != role)
        {
            final int leader = replicated.leaderMemberId();
            throw new ApiProblem(409, "NOT_LEADER", Responses.title(409),
                "member " + replicated.node().memberId() + " is " + role + "; a cluster snapshot is taken through " +
                "the leader" + (leader < 0 ? ", and none is known now: retry shortly" :
                ", member " + leader + ": send this request to its server"));
        }
        if (!snapshotLock.tryLock())
        {
            throw new ApiProblem(409, "SNAPSHOT_IN_PROGRESS", Responses.title(409),
                "a cluster snapshot requested through this member is still being taken; retry once it is done",
                "1");
        }
        try
        {
            final long startNs = System.nanoTime();
            final ClusterControl.Outcome outcome = ClusterControl.snapshot(
                replicated.node().clusterDir(), Math.max(1, settings.requestTimeout().toMillis()));
            if (!outcome.succeeded())
            {
                throw new ApiProblem(503, "CLUSTER_SNAPSHOT_FAILED", Responses.title(503),
                    "member " + replicated.node().memberId() + ": " + outcome.message(), "5");
            }
            final ObjectNode json = RequestParser.MAPPER.createObjectNode();
            json.put("member_id", replicated.node().memberId());
            json.put("snapshot_count", replicated.node().snapshotCount());
            json.put("leadership_term_id", replicated.node().leadershipTermId());
            json.put("duration_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
            json.put("detail", outcome.message());
            return json;
        }
        finally
        {
            snapshotLock.unlock();
        }
    }

    /**
     * @param status     a reading of this member's node.
     * @param replicated this member.
     * @return the JSON of {@code GET /api/v1/cluster}.
     */
    static ObjectNode view(final ClusterStatus status, final ReplicatedEngine replicated)
    {
        final ObjectNode json = RequestParser.MAPPER.createObjectNode();
        json.put("member_id", status.memberId());
        final Cluster.Role role = null == status.role() ? replicated.node().role() : status.role();
        json.put("role", role.name());
        final int leader = status.leaderMemberId() >= 0 ? status.leaderMemberId() : replicated.leaderMemberId();
        if (leader < 0)
        {
            json.putNull("leader_member_id");
        }
        else
        {
            json.put("leader_member_id", leader);
        }
        json.put("leadership_term_id", status.leadershipTermId());
        json.put("commit_position", status.commitPosition());
        json.put("append_position", status.appendPosition());
        json.put("connected", replicated.connected());
        json.put("snapshot_count", status.snapshotCount());
        json.put("election_state", null == status.electionState() ? null : status.electionState().name());
        json.put("module_state", null == status.moduleState() ? null : status.moduleState().name());
        json.put("errors", replicated.node().errorCount());
        json.put("members_exact", Cluster.Role.LEADER == role);
        final ArrayNode members = json.putArray("members");
        for (final ClusterStatus.MemberPosition member : status.members())
        {
            final ObjectNode one = members.addObject();
            one.put("member_id", member.memberId());
            one.put("leader", member.leader());
            one.put("log_position", member.logPosition());
            final long lag = status.lag(member.memberId());
            if (Cluster.Role.LEADER == role && lag >= 0)
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

    private void requireClustered()
    {
        if (null == replicated)
        {
            throw new ApiProblem(404, "NOT_CLUSTERED", Responses.title(404),
                "this server runs as a single node, not as a member of a cluster: start it with --cluster " +
                "--member-id N --cluster-members \"0,host:port|1,host:port|2,host:port\" (or bin/axiom cluster local)");
        }
    }

    private static byte[] write(final ObjectNode json)
    {
        try
        {
            return RequestParser.MAPPER.writeValueAsBytes(json);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void notAllowed(final ServerRequest req, final ServerResponse res, final String allowed)
    {
        res.header(HeaderNames.ALLOW, allowed);
        Responses.problem(req, res, new ApiProblem(405, "METHOD_NOT_ALLOWED", Responses.title(405),
            "method " + req.prologue().method().text() + " is not allowed on " + req.path().rawPath() +
            "; allowed: " + allowed));
    }
}
