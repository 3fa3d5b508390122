package io.axiom.gateway.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.cluster.node.ClusterMembers;
import io.axiom.gateway.AxiomMain;
import io.axiom.gateway.TestServer;
import io.axiom.gateway.metrics.MetricsTest;
import io.axiom.gateway.openapi.OpenApiTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three in-process servers as the members of one cluster (on loopback, in one JVM): each member's
 * {@code GET /api/v1/cluster} agrees on one leader and one term, a create through a follower's REST API is read on the
 * others, a cluster snapshot through the leader answers 201 (a follower's 409 NOT_LEADER), {@code /ready} names role
 * and leader, the {@code axiom_cluster_*} families are served, {@code axiom cluster status} prints a member's view
 * (live and offline from its directory), and every answer matches the OpenAPI document. A single node answers 404
 * {@code NOT_CLUSTERED}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClusterApiTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long SEED = System.nanoTime();
    private static final List<TestServer> MEMBERS = new ArrayList<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void startCluster() throws Exception
    {
        final ClusterMembers members = ClusterMembers.local(3, freeBasePort(new Random(SEED), 3));
        // Each member's start waits for its own engine; start them together so that none waits for the others.
        final ExecutorService starter = Executors.newFixedThreadPool(3);
        try
        {
            final List<Future<TestServer>> started = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final int member = i;
                started.add(starter.submit(() -> TestServer.start(dir.resolve("node-" + member),
                    "--cluster", "true",
                    "--member-id", Integer.toString(member),
                    "--cluster-members", members.aeronMembers())));
            }
            for (final Future<TestServer> server : started)
            {
                MEMBERS.add(server.get());
            }
        }
        finally
        {
            starter.shutdown();
        }
        TestServer.await("every member's gateway connected to a leader (seed " + SEED + ")",
            () -> MEMBERS.stream().allMatch(m -> m.server().replicated().connected()));
    }

    @AfterAll
    static void stopCluster()
    {
        final List<String> driverDirs = new ArrayList<>();
        MEMBERS.forEach(m -> driverDirs.add(m.server().replicated().node().aeronDirectoryName()));
        MEMBERS.forEach(TestServer::close);
        MEMBERS.clear();
        // a closed node's media driver directory (under /dev/shm) outlives it: the node's, removed here
        driverDirs.forEach(d -> org.agrona.IoUtil.delete(new java.io.File(d), true));
    }

    @Test
    void everyMemberSeesOneLeaderInOneTerm()
    {
        final JsonNode doc = OpenApiTest.document();
        TestServer.await("one leader, one term, seen alike by every member (seed " + SEED + ")", () ->
        {
            final List<JsonNode> views = views();
            final Set<Long> terms = new HashSet<>();
            final Set<Integer> leaders = new HashSet<>();
            int leaderCount = 0;
            for (final JsonNode view : views)
            {
                terms.add(view.get("leadership_term_id").asLong());
                leaders.add(view.get("leader_member_id").isNull() ? -1 : view.get("leader_member_id").asInt());
                leaderCount += "LEADER".equals(view.get("role").asText()) ? 1 : 0;
            }
            return 1 == leaderCount && 1 == terms.size() && 1 == leaders.size() && !leaders.contains(-1);
        });
        final List<String> failures = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final TestServer.Response res = MEMBERS.get(i).get(ClusterModule.PATH);
            failures.addAll(OpenApiTest.validate(doc, "GET", ClusterModule.PATH, res));
            final JsonNode view = res.json();
            assertEquals(i, view.get("member_id").asInt(), res.body());
            assertTrue(view.get("connected").asBoolean(), res.body());
            assertTrue(view.get("commit_position").asLong() >= 0, res.body());
            if ("LEADER".equals(view.get("role").asText()))
            {
                assertTrue(view.get("members_exact").asBoolean(), res.body());
                assertEquals(3, view.get("members").size(), res.body());
                for (final JsonNode member : view.get("members"))
                {
                    assertTrue(member.get("lag").isNumber(), "the leader knows every lag: " + res.body());
                }
            }
        }
        assertEquals(List.of(), failures, "answers match the OpenAPI document");
    }

    @Test
    void createThroughAFollowerIsReadOnEveryMember()
    {
        final TestServer follower = MEMBERS.get(follower());
        final TestServer.Response created = follower.postJson("/api/v1/workflows",
            "{\"name\":\"through-follower\",\"steps\":[{\"name\":\"approve\",\"type\":\"approval\"}]}");
        assertEquals(201, created.status(), created.toString());
        final String id = created.json().get("id").asText();
        for (final TestServer member : MEMBERS)
        {
            TestServer.await("workflow " + id + " readable on member " + member.server().replicated().node()
                .memberId(), () -> 200 == member.get("/api/v1/workflows/" + id).status());
            assertEquals("through-follower", member.get("/api/v1/workflows/" + id).json().get("name").asText());
        }
    }

    @Test
    void clusterSnapshotThroughTheLeaderAndNotThroughAFollower()
    {
        final JsonNode doc = OpenApiTest.document();
        final TestServer.Response refused = MEMBERS.get(follower()).postJson(ClusterModule.SNAPSHOT, "");
        assertEquals(409, refused.status(), refused.toString());
        assertEquals("NOT_LEADER", refused.json().get("code").asText());
        final TestServer.Response taken = MEMBERS.get(leader()).postJson(ClusterModule.SNAPSHOT, "");
        assertEquals(201, taken.status(), taken.toString());
        assertTrue(taken.json().get("snapshot_count").asLong() >= 1, taken.body());
        final List<String> failures = new ArrayList<>();
        failures.addAll(OpenApiTest.validate(doc, "POST", ClusterModule.SNAPSHOT, refused));
        failures.addAll(OpenApiTest.validate(doc, "POST", ClusterModule.SNAPSHOT, taken));
        assertEquals(List.of(), failures, "answers match the OpenAPI document");
    }

    @Test
    void graphQlAnswersAsTheRestRoutes()
    {
        final int leader = leader();
        final JsonNode view = graphQl(MEMBERS.get(leader),
            "{ cluster { member_id role leader_member_id members_exact members { member_id lag } } }");
        assertEquals(leader, view.at("/data/cluster/member_id").asInt(), view.toString());
        assertEquals("LEADER", view.at("/data/cluster/role").asText(), view.toString());
        assertEquals(3, view.at("/data/cluster/members").size(), view.toString());

        final JsonNode refused = graphQl(MEMBERS.get(follower()), "mutation { takeClusterSnapshot { member_id } }");
        assertEquals("CONFLICT", refused.at("/errors/0/extensions/code").asText(), refused.toString());
        assertEquals("NOT_LEADER", refused.at("/errors/0/extensions/reason").asText(), refused.toString());

        final JsonNode taken = graphQl(MEMBERS.get(leader),
            "mutation { takeClusterSnapshot { member_id snapshot_count } }");
        assertEquals(leader, taken.at("/data/takeClusterSnapshot/member_id").asInt(), taken.toString());
        assertTrue(taken.at("/data/takeClusterSnapshot/snapshot_count").asLong() >= 1, taken.toString());
    }

    @Test
    void readyOnEveryMemberNamesRoleAndLeader()
    {
        final JsonNode doc = OpenApiTest.document();
        final int leader = leader();
        for (int i = 0; i < 3; i++)
        {
            final TestServer.Response ready = MEMBERS.get(i).get("/ready");
            assertEquals(200, ready.status(), ready.toString());
            assertEquals("READY", ready.json().get("status").asText());
            assertEquals(i, ready.json().get("member_id").asInt());
            assertEquals(i == leader ? "LEADER" : "FOLLOWER", ready.json().get("role").asText(), ready.body());
            assertEquals(leader, ready.json().get("leader_member_id").asInt(), ready.body());
            assertEquals(List.of(), OpenApiTest.validate(doc, "GET", "/ready", ready));
        }
    }

    @Test
    void prometheusServesTheMembersFiguresAndPromtoolAcceptsThem() throws Exception
    {
        final int leader = leader();
        for (int i = 0; i < 3; i++)
        {
            final String body = MEMBERS.get(i).get("/api/v1/metrics/prometheus").body();
            assertTrue(body.contains("\naxiom_cluster_member_id " + i + ".0\n"), body);
            assertTrue(body.contains("\naxiom_cluster_role " + (i == leader ? "2.0" : "0.0") + "\n"), body);
            assertTrue(body.contains("\naxiom_cluster_connected 1.0\n"), body);
            for (final String name : List.of("axiom_cluster_leadership_term_id ", "axiom_cluster_commit_position ",
                "axiom_cluster_snapshots ", "axiom_cluster_errors_total "))
            {
                assertTrue(body.contains("\n" + name), name + " missing:\n" + body);
            }
        }
        final String body = MEMBERS.get(leader).get("/api/v1/metrics/prometheus").body();
        final Path input = dir.resolve("cluster-metrics.prom");
        Files.writeString(input, body);
        final Process promtool = new ProcessBuilder(MetricsTest.promtool().toString(), "check", "metrics")
            .redirectInput(input.toFile())
            .redirectErrorStream(true)
            .start();
        try (InputStream out = promtool.getInputStream())
        {
            final String report = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(promtool.waitFor(30, TimeUnit.SECONDS), "promtool check metrics did not finish in 30 s");
            assertEquals(0, promtool.exitValue(), "promtool check metrics refused the body:\n" + report);
            assertEquals("", report.trim(), "promtool check metrics has lint findings:\n" + report);
        }
        finally
        {
            promtool.destroyForcibly();
        }
    }

    @Test
    void cliPrintsAMembersViewLiveAndFromItsDirectory() throws IOException
    {
        final int leader = leader();
        final String url = MEMBERS.get(leader).server().url();

        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        assertEquals(0, AxiomMain.execute(Map.of(), new PrintWriter(out), new PrintWriter(err),
            "cluster", "status", "--server", url), err.toString());
        final String table = out.toString();
        assertTrue(table.startsWith("member " + leader + ": LEADER, leader " + leader + ", term "), table);
        assertTrue(table.contains("MEMBER  ROLE      LOG POSITION  LAG"), table);
        assertTrue(table.contains("3 member(s) known\n"), table);

        final StringWriter json = new StringWriter();
        assertEquals(0, AxiomMain.execute(Map.of(), new PrintWriter(json), new PrintWriter(new StringWriter()),
            "cluster", "status", "--server", url, "--json"));
        assertEquals("LEADER", MAPPER.readTree(json.toString()).get("role").asText(), json.toString());

        final StringWriter offline = new StringWriter();
        final StringWriter offlineErr = new StringWriter();
        final int follower = follower();
        assertEquals(0, AxiomMain.execute(Map.of(), new PrintWriter(offline), new PrintWriter(offlineErr),
            "cluster", "status", "--dir", dir.resolve("node-" + follower).toString(), "--json"), offlineErr.toString());
        final JsonNode read = MAPPER.readTree(offline.toString());
        assertEquals(follower, read.get("member_id").asInt(), offline.toString());
        assertEquals("FOLLOWER", read.get("role").asText(), offline.toString());

        final StringWriter missing = new StringWriter();
        assertEquals(1, AxiomMain.execute(Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(missing),
            "cluster", "status", "--dir", dir.resolve("nowhere").toString()));
        assertTrue(missing.toString().startsWith("axiom: no cluster member's directory at "), missing.toString());
    }

    @Test
    void aSingleNodeIsNotClustered(@TempDir final Path single)
    {
        final JsonNode doc = OpenApiTest.document();
        try (TestServer server = TestServer.start(single))
        {
            final TestServer.Response status = server.get(ClusterModule.PATH);
            assertEquals(404, status.status(), status.toString());
            assertEquals("NOT_CLUSTERED", status.json().get("code").asText());
            final TestServer.Response snapshot = server.postJson(ClusterModule.SNAPSHOT, "");
            assertEquals(404, snapshot.status(), snapshot.toString());
            assertEquals("NOT_CLUSTERED", snapshot.json().get("code").asText());
            final TestServer.Response ready = server.get("/ready");
            assertEquals(200, ready.status());
            assertTrue(!ready.json().has("role"), ready.body());
            assertTrue(!server.get("/api/v1/metrics/prometheus").body().contains("axiom_cluster_"));
            assertEquals(List.of(), OpenApiTest.validate(doc, "GET", ClusterModule.PATH, status));

            final JsonNode graphQl = graphQl(server, "{ cluster { role } }");
            assertEquals("NOT_FOUND", graphQl.at("/errors/0/extensions/code").asText(), graphQl.toString());
            assertEquals("NOT_CLUSTERED", graphQl.at("/errors/0/extensions/reason").asText(), graphQl.toString());

            final StringWriter err = new StringWriter();
            assertEquals(1, AxiomMain.execute(Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err),
                "cluster", "status", "--server", server.server().url()));
            assertTrue(err.toString().startsWith("axiom: NOT_CLUSTERED: "), err.toString());
        }
    }

    /**
     * Last, since it stops two members: the one left has no majority, and its {@code /ready} says so.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void readyIsNoLeaderWithoutAMajority()
    {
        final int leader = leader();
        for (int i = 0; i < 3; i++)
        {
            if (i != leader)
            {
                MEMBERS.get(i).close();
            }
        }
        final TestServer left = MEMBERS.get(leader);
        TestServer.await("503 NO_LEADER on the member left alone (seed " + SEED + ")", () ->
        {
            final TestServer.Response ready = left.get("/ready");
            return 503 == ready.status() && "NO_LEADER".equals(ready.json().get("status").asText());
        });
        final TestServer.Response ready = left.get("/ready");
        assertEquals(leader, ready.json().get("member_id").asInt(), ready.body());
        assertEquals("1", ready.header("Retry-After"), ready.toString());
        assertEquals(List.of(), OpenApiTest.validate(OpenApiTest.document(), "GET", "/ready", ready));
        final String metrics = left.get("/api/v1/metrics/prometheus").body();
        assertTrue(metrics.contains("\naxiom_cluster_connected 0.0\n"), metrics);
    }

    private static JsonNode graphQl(final TestServer server, final String query)
    {
        final TestServer.Response res = server.postJson("/graphql",
            MAPPER.createObjectNode().put("query", query).toString());
        assertEquals(200, res.status(), res.toString());
        return res.json();
    }

    private static List<JsonNode> views()
    {
        final List<JsonNode> views = new ArrayList<>();
        for (final TestServer member : MEMBERS)
        {
            final TestServer.Response res = member.get(ClusterModule.PATH);
            assertEquals(200, res.status(), res.toString());
            views.add(res.json());
        }
        return views;
    }

    private static int leader()
    {
        final int[] leader = {-1};
        TestServer.await("a leader every member's gateway knows (seed " + SEED + ")", () ->
        {
            for (int i = 0; i < 3; i++)
            {
                if (io.aeron.cluster.service.Cluster.Role.LEADER == MEMBERS.get(i).server().replicated().node().role())
                {
                    final int found = i;
                    if (MEMBERS.stream().allMatch(m -> m.server().replicated().leaderMemberId() == found &&
                        m.server().replicated().connected()))
                    {
                        leader[0] = i;
                        return true;
                    }
                }
            }
            return false;
        });
        assertNotNull(MEMBERS.get(leader[0]));
        return leader[0];
    }

    private static int follower()
    {
        return (leader() + 1) % 3;
    }

    /**
     * @return a base port with {@code nodes} members' cluster ports free on loopback now.
     */
    static int freeBasePort(final Random random, final int nodes)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = 20_000 + random.nextInt(2_000) * 10;
            if (allFree(base, nodes * ClusterMembers.LOCAL_PORT_STEP))
            {
                return base;
            }
        }
        throw new IllegalStateException("no free port range found in 100 attempts (seed " + SEED + ")");
    }

    private static boolean allFree(final int base, final int count)
    {
        for (int port = base; port < base + count; port++)
        {
            try (DatagramSocket socket = new DatagramSocket(null))
            {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }
}
