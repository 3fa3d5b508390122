package io.axiom.gateway.system;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.aeron.cluster.service.ClusterMarkFile;
import org.agrona.IoUtil;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.gateway.system.SystemHttp.WORKFLOWS;
import static io.axiom.gateway.system.SystemHttp.readTree;

/**
 * The promise under fire on a replicated cluster of three real {@code bin/axiom server --cluster} processes, with
 * clients creating and advancing workflows over REST against members chosen at random the whole time: the leader
 * is SIGKILLed and restarted, then a follower; the leader is frozen (SIGSTOP) and thawed; the leader is cut off the
 * network and joined again. Once the load stops, every member reaches the same journal position, holds every
 * acknowledged workflow in the same state, maps no Idempotency-Key to two workflows and passes verify with the same
 * digest; finally a member whose data directory was deleted rejoins from the cluster's log and reaches the same
 * position and digest.
 * <p>
 * Every random choice comes from one seed ({@code -Daxiom.seed=N} repeats a run), printed in every failure.
 * <p>
 * The cut needs a network namespace per member ({@link IsolatedNetwork}: root and iproute2); where that cannot be
 * had, or with {@code -Daxiom.cluster-test.localhost=true}, the members run on localhost and the test says that it
 * leaves the cut out. Aeron's loss generators are not used: they are the driver's, set in each process at its start,
 * and cannot cut one member off both ways on demand. The members' outputs are kept under
 * {@code target/cluster-system-test/seed-N/}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterSystemTest
{
    private static final int MEMBERS = 3;
    private static final int PORT_STEP = 10;
    private static final int CREATORS = 2;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration FAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** How long a freeze or a cut lasts at least: past the leader heartbeat timeout (1 s), so a leader is deposed. */
    private static final Duration FAULT_HOLD = Duration.ofSeconds(3);
    private static final long SUSPECT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long RETRY_BUDGET_NS = TimeUnit.SECONDS.toNanos(40);
    private static final String GATEWAY_TIMEOUT_MS = "3000";
    private static final Pattern WORKERS_DRIVER =
        Pattern.compile("embedded Aeron media driver in (/dev/shm/axiom-aeron-\\d+-[0-9a-f]+)\\)");
    private static final Pattern ROLE = Pattern.compile("member (\\d+) is now (LEADER|FOLLOWER|CANDIDATE)");
    private static final String WORKFLOW_STEPS =
        "[{\"name\":\"PAUSE\",\"type\":\"timer\",\"duration_ms\":50},{\"name\":\"APPROVE\",\"type\":\"approval\"}]";

    @TempDir
    Path root;

    private final long seed = Long.getLong("axiom.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final SystemHttp http = new SystemHttp(REQUEST_TIMEOUT);
    private final Member[] members = new Member[MEMBERS];
    private final List<ServerProcess> everyProcess = new ArrayList<>();
    private final List<String> processNames = new ArrayList<>();
    private final List<Long> stoppedPids = new ArrayList<>();
    private final Load load = new Load();
    private String clusterMembers;
    private IsolatedNetwork network;

    /** One member: its id, its data directory (its cluster state in {@code cluster/} inside), its current process. */
    private static final class Member
    {
        final int id;
        final Path dataDir;
        volatile ServerProcess process;
        volatile boolean up;

        Member(final int id, final Path dataDir)
        {
            this.id = id;
            this.dataDir = dataDir;
        }
    }

    @AfterEach
    void stopEverything()
    {
        load.abandoned = true;
        load.stop();
        for (final long pid : stoppedPids)
        {
            try
            {
                signal(pid, "CONT");
            }
            catch (final AssertionError ex)
            {
                log("cannot thaw pid " + pid + " (it is killed next): " + ex.getMessage());
            }
        }
        everyProcess.forEach(ServerProcess::close);
        http.close();
        if (null != network)
        {
            network.close();
        }
        keepOutputs();
        deleteDriverDirectories();
    }

    /**
     * The media driver directories (under {@code /dev/shm}) that killed members leave: each node's, named in its
     * cluster mark file, and each process's workers' driver, named in its output.
     */
    private void deleteDriverDirectories()
    {
        for (final Member member : members)
        {
            if (null == member)
            {
                continue;
            }
            final File clusterDir = member.dataDir.resolve("cluster").resolve("cluster").toFile();
            if (new File(clusterDir, ClusterMarkFile.FILENAME).isFile())
            {
                try (ClusterMarkFile markFile = new ClusterMarkFile(
                    clusterDir, ClusterMarkFile.FILENAME, System::currentTimeMillis, 1_000, (message) -> { }))
                {
                    IoUtil.delete(new File(markFile.decoder().aeronDirectory()), true);
                }
                catch (final RuntimeException ex)
                {
                    log("cannot delete the driver directory of member " + member.id + ": " + ex);
                }
            }
        }
        for (final ServerProcess process : everyProcess)
        {
            final Matcher m = WORKERS_DRIVER.matcher(process.output());
            while (m.find())
            {
                IoUtil.delete(new File(m.group(1)), true);
            }
        }
    }

    /**
     * Every member's output, launch by launch, under {@code target/cluster-system-test/seed-N/}.
     */
    private void keepOutputs()
    {
        final Path dir = Path.of("target", "cluster-system-test", "seed-" + seed);
        try
        {
            Files.createDirectories(dir);
            for (int i = 0; i < everyProcess.size(); i++)
            {
                Files.writeString(dir.resolve(i + "-" + processNames.get(i) + ".log"), everyProcess.get(i).output());
            }
            log("member outputs kept in " + dir.toAbsolutePath());
        }
        catch (final IOException ex)
        {
            log("cannot keep the member outputs in " + dir + ": " + ex);
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesKillsAFreezeAPartitionAndAWipedMember() throws Exception
    {
        final long startedNs = System.nanoTime();
        log("seed " + seed + " (repeat with -Daxiom.seed=" + seed + ")");
        final StringBuilder noNetwork = new StringBuilder();
        final int tag = random.nextInt(0x10000);
        final int subnet = random.nextInt(256);
        if (Boolean.getBoolean("axiom.cluster-test.localhost"))
        {
            noNetwork.append("-Daxiom.cluster-test.localhost=true");
        }
        else
        {
            network = IsolatedNetwork.create(tag, subnet, MEMBERS, noNetwork);
        }
        log(null == network ? "members on localhost, no partition step: " + noNetwork :
            "members in network namespaces of their own, on " + network.host(0) + ".." + network.host(MEMBERS - 1));
        final int basePort = freeBasePort();
        final StringBuilder list = new StringBuilder();
        for (int i = 0; i < MEMBERS; i++)
        {
            members[i] = new Member(i, root.resolve("member-" + i));
            list.append(0 == i ? "" : "|").append(i).append(',').append(host(i)).append(':')
                .append(basePort + i * PORT_STEP);
        }
        clusterMembers = list.toString();

        // ---- 1. three members, each listening and ready, and a leader ----
        for (final Member member : members)
        {
            launch(member);
        }
        for (final Member member : members)
        {
            awaitUp(member);
        }
        final Member firstLeader = awaitLeader(-1);
        log("started in " + millisSince(startedNs) + " ms; leader member " + firstLeader.id);

        // ---- 2. load all the time: creates with unique keys, and advances of their approval steps ----
        load.start();
        awaitAcks(20, "the first creates");

        // ---- 3. SIGKILL the leader; the other two elect one and the load goes on; it restarts and catches up ----
        final Member killedLeader = awaitLeader(-1);
        final long outageMs = killAndMeasure(killedLeader);
        final Member secondLeader = awaitLeader(killedLeader.id);
        log("leader " + killedLeader.id + " SIGKILLed: member " + secondLeader.id + " leads; first write " +
            "acknowledged " + outageMs + " ms after the kill");
        restartAndCatchUp(killedLeader);

        // ---- 4. a cluster snapshot; SIGKILL a follower; the load goes on; it restarts from its snapshot and ----
        // ---- the log after it, and catches up                                                              ----
        final Member snapshotLeader = awaitLeader(-1);
        final Member follower = randomFollower();
        final long snapshotsBefore = snapshotCount(follower);
        final java.net.http.HttpResponse<String> snapshot =
            http.post(snapshotLeader.process, "/api/v1/cluster/snapshot", "");
        check(snapshot.statusCode() == 201, "cluster snapshot through leader " + snapshotLeader.id + ": " +
            snapshot.statusCode() + " " + snapshot.body());
        // Every member takes the snapshot at the same log position, each on its own time: kill the follower only
        // once its own is recorded, or it restarts without one.
        await(FAULT_TIMEOUT, "member " + follower.id + " recorded its cluster snapshot",
            () -> snapshotCount(follower) > snapshotsBefore);
        final long followerOutageMs = killAndMeasure(follower);
        log("follower " + follower.id + " SIGKILLed: first write acknowledged " + followerOutageMs + " ms after");
        restartAndCatchUp(follower);
        check(follower.process.output().contains("the processor is hosted on the cluster's log from a snapshot"),
            "member " + follower.id + " restarted from its cluster snapshot");

        // ---- 5. the leader frozen with SIGSTOP (it neither sends nor answers, a long stall), then thawed: it ----
        // ---- comes back believing it leads, steps down, and catches up                                     ----
        final Member frozen = awaitLeader(-1);
        frozen.up = false;
        signal(frozen.process.pid(), "STOP");
        stoppedPids.add(frozen.process.pid());
        final long frozenAtAcks = load.acks.get();
        final long frozenNs = System.nanoTime();
        final String readsWhileFrozen = probeReads(frozen);
        final Member leaderWhileFrozen = awaitLeader(frozen.id);
        awaitAcks(frozenAtAcks + 20, "writes while member " + frozen.id + " is frozen");
        await(FAULT_TIMEOUT, "the freeze held " + FAULT_HOLD,
            () -> System.nanoTime() - frozenNs >= FAULT_HOLD.toNanos());
        log("leader " + frozen.id + " frozen for " + millisSince(frozenNs) + " ms: member " + leaderWhileFrozen.id +
            " took over, " + (load.acks.get() - frozenAtAcks) + " creates acknowledged meanwhile; reads on the " +
            "others meanwhile: " + readsWhileFrozen);
        signal(frozen.process.pid(), "CONT");
        stoppedPids.remove(frozen.process.pid());
        awaitCaughtUp(frozen);
        frozen.up = true;
        awaitSingleLeader();

        // ---- 5b. the leader cut off the network (both ways, clients too), then joined again ----
        if (null != network)
        {
            partition();
        }

        // ---- 6. stop the load: every member at one position, with every acknowledged workflow alike ----
        final long writeTargetAcks = load.acks.get() + 10;
        awaitAcks(writeTargetAcks, "writes after the faults");
        load.stop();
        load.assertNoFailure();
        final long position = awaitSamePosition();
        final String digest = checkEveryMember(position);

        // ---- 7. a member wiped: stopped, its data directory deleted, started again: it rejoins from the log ----
        final Member wiped = members[random.nextInt(MEMBERS)];
        wiped.up = false;
        wiped.process.kill();
        deleteTree(wiped.dataDir);
        launch(wiped);
        awaitUp(wiped);
        final long wipedPosition = awaitSamePosition();
        check(position == wipedPosition, "the wiped member " + wiped.id + " reached " + wipedPosition +
            " but the others are at " + position);
        check(digest.equals(verify(wiped).get("digest").asText()), "the wiped member " + wiped.id +
            " has another digest than " + digest);
        log("member " + wiped.id + " wiped and rejoined at position " + position + ", digest " + digest + "; " +
            load.acks.get() + " creates acknowledged, " + load.advanced.size() + " advanced, " +
            load.retries.get() + " retries; total " + millisSince(startedNs) + " ms");
    }

    // ---- members ----

    /**
     * Cut the leader off (the hardest case: what it appended alone is never committed and must be truncated when it
     * comes back), hold the cut while the other two elect a leader and go on acknowledging writes, and at least
     * {@link #FAULT_HOLD}, join it again; it catches up and one leader remains.
     */
    private void partition()
    {
        final Member cut = awaitLeader(-1);
        final long acksBefore = load.acks.get();
        final long cutNs = System.nanoTime();
        network.cut(cut.id);
        final Member leaderWhileCut = awaitLeader(cut.id);
        final long leaderMs = millisSince(cutNs);
        awaitAcks(acksBefore + 20, "writes while member " + cut.id + " is cut off");
        await(FAULT_TIMEOUT, "the partition held " + FAULT_HOLD,
            () -> System.nanoTime() - cutNs >= FAULT_HOLD.toNanos());
        final long acksDuring = load.acks.get() - acksBefore;
        network.heal(cut.id);
        final long healNs = System.nanoTime();
        awaitCaughtUp(cut);
        final Member leaderAfter = awaitSingleLeader();
        log("leader " + cut.id + " cut off for " +
            TimeUnit.NANOSECONDS.toMillis(healNs - cutNs) + " ms: member " + leaderWhileCut.id + " led (seen after " +
            leaderMs + " ms), " + acksDuring + " creates acknowledged meanwhile; joined again and caught up in " +
            millisSince(healNs) + " ms; leader now member " + leaderAfter.id);
    }

    /**
     * Read one acknowledged workflow from each of the other members, five times 200 ms apart, while the given one
     * is out. Reads are answered by each member from its own state, so they should not wait for a leader; what is
     * seen is reported, not asserted (see the report of issue 11's system test).
     *
     * @return the slowest answer and the failures per member.
     */
    private String probeReads(final Member out)
    {
        final String id = load.keyById.keySet().iterator().next();
        final StringBuilder seen = new StringBuilder();
        for (final Member member : members)
        {
            if (member == out)
            {
                continue;
            }
            long slowestMs = 0;
            int failed = 0;
            for (int i = 0; i < 5; i++)
            {
                final long startNs = System.nanoTime();
                try
                {
                    failed += 200 == http.get(member.process, WORKFLOWS + "/" + id).statusCode() ? 0 : 1;
                }
                catch (final IOException ex)
                {
                    failed++;
                }
                slowestMs = Math.max(slowestMs, millisSince(startNs));
                ServerProcess.pause(200);
            }
            seen.append(seen.isEmpty() ? "" : ", ").append("member ").append(member.id).append(" slowest ")
                .append(slowestMs).append(" ms, ").append(failed).append("/5 not 200");
        }
        return seen.toString();
    }

    /**
     * @return the one live member whose last role line says LEADER, once no other live one does.
     */
    private Member awaitSingleLeader()
    {
        final Member[] found = new Member[1];
        await(FAULT_TIMEOUT, "exactly one member whose last role line is LEADER", () ->
            {
                found[0] = null;
                int leaders = 0;
                for (final Member member : members)
                {
                    if (member.process.process().isAlive() && "LEADER".equals(lastRole(member)))
                    {
                        leaders++;
                        found[0] = member;
                    }
                }
                return 1 == leaders;
            });
        return found[0];
    }

    private String host(final int member)
    {
        return null == network ? "localhost" : network.host(member);
    }

    private void launch(final Member member)
    {
        final List<String> args = new ArrayList<>(List.of(
            "server", "--cluster", "--member-id", Integer.toString(member.id), "--cluster-members", clusterMembers,
            "--data-dir", member.dataDir.toString(), "--port", "0",
            "--gateway.request-timeout-ms", GATEWAY_TIMEOUT_MS));
        if (null != network)
        {
            args.addAll(List.of("--host", network.host(member.id)));
        }
        final String name = "member-" + member.id;
        final ServerProcess process = ServerProcess.launch(
            name, null == network ? List.of() : network.wrapper(member.id), args);
        everyProcess.add(process);
        processNames.add(name);
        member.process = process;
    }

    private void awaitUp(final Member member)
    {
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        member.process.awaitListening(START_TIMEOUT);
        member.process.awaitReady(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        member.up = true;
    }

    private long killAndMeasure(final Member member)
    {
        member.up = false;
        final long acksBefore = load.acks.get();
        load.firstAckAfterNs.set(0);
        final long killedNs = System.nanoTime();
        load.killedNs.set(killedNs);
        member.process.kill();
        awaitAcks(acksBefore + 20, "writes after member " + member.id + " was SIGKILLed");
        return TimeUnit.NANOSECONDS.toMillis(load.firstAckAfterNs.get() - killedNs);
    }

    private void restartAndCatchUp(final Member member)
    {
        final long restartNs = System.nanoTime();
        launch(member);
        awaitUp(member);
        awaitCaughtUp(member);
        log("member " + member.id + " restarted and caught up in " + millisSince(restartNs) + " ms");
    }

    /**
     * Wait until the member's journal reaches the position another live member had when the wait began.
     */
    private void awaitCaughtUp(final Member member)
    {
        long target = 0;
        for (final Member other : members)
        {
            if (other != member && other.up)
            {
                target = Math.max(target, position(other));
            }
        }
        final long goal = target;
        await(FAULT_TIMEOUT, "member " + member.id + " catches up to position " + goal,
            () -> positionOrZero(member) >= goal);
    }

    private Member awaitLeader(final int notThisOne)
    {
        final Member[] found = new Member[1];
        await(FAULT_TIMEOUT, "a leader other than member " + notThisOne + " (log lines '" +
            ROLE.pattern() + "')", () ->
            {
                for (final Member member : members)
                {
                    if (member.id != notThisOne && member.process.process().isAlive() &&
                        "LEADER".equals(lastRole(member)))
                    {
                        found[0] = member;
                        return true;
                    }
                }
                return false;
            });
        return found[0];
    }

    private Member randomFollower()
    {
        final Member leader = awaitLeader(-1);
        final List<Member> followers = Stream.of(members).filter(m -> m != leader).toList();
        return followers.get(random.nextInt(followers.size()));
    }

    private static String lastRole(final Member member)
    {
        final Matcher m = ROLE.matcher(member.process.output());
        String role = null;
        while (m.find())
        {
            if (Integer.parseInt(m.group(1)) == member.id)
            {
                role = m.group(2);
            }
        }
        return role;
    }

    // ---- checks ----

    private long position(final Member member)
    {
        try
        {
            return http.getOk(member.process, "/api/v1/metrics").at("/events/journal_position_bytes").asLong();
        }
        catch (final IOException ex)
        {
            throw member.process.failure(seedNote("GET /api/v1/metrics of member " + member.id + ": " + ex), ex);
        }
    }

    private long snapshotCount(final Member member)
    {
        try
        {
            final HttpResponse<String> response = http.get(member.process, "/api/v1/cluster");
            return response.statusCode() == 200 ? readTree(response.body()).path("snapshot_count").asLong() : -1;
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private long positionOrZero(final Member member)
    {
        try
        {
            final HttpResponse<String> response = http.get(member.process, "/api/v1/metrics");
            return 200 == response.statusCode() ?
                readTree(response.body()).at("/events/journal_position_bytes").asLong() : 0;
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    /**
     * Wait until every member reports the same journal position twice in a row, 200 ms apart.
     */
    private long awaitSamePosition()
    {
        final long[] agreed = {-1};
        await(FAULT_TIMEOUT, "every member at the same journal position", () ->
            {
                final long[] now = new long[MEMBERS];
                for (int i = 0; i < MEMBERS; i++)
                {
                    now[i] = positionOrZero(members[i]);
                }
                final boolean same = now[0] > 0 && now[0] == now[1] && now[1] == now[2];
                if (same && now[0] == agreed[0])
                {
                    return true;
                }
                agreed[0] = same ? now[0] : -1;
                ServerProcess.pause(150);
                return false;
            });
        return agreed[0];
    }

    /**
     * @return the digest every member's verify agrees on.
     */
    private String checkEveryMember(final long position) throws IOException
    {
        final Map<String, String> keyById = new HashMap<>(load.keyById);
        final Map<Integer, Map<String, JsonNode>> workflowsByMember = new HashMap<>();
        for (final Member member : members)
        {
            workflowsByMember.put(member.id, everyWorkflow(member));
        }
        final Map<String, JsonNode> reference = workflowsByMember.get(0);
        // no key maps to two workflows, and every acknowledged one has the key it was acknowledged with
        final Map<String, String> idByKey = new HashMap<>();
        for (final JsonNode workflow : reference.values())
        {
            final String key = workflow.path("idempotency_key").asText(null);
            check(null != key, "workflow without a key: " + workflow);
            final String previous = idByKey.put(key, workflow.get("id").asText());
            check(null == previous, "key " + key + " maps to workflows " + previous + " and " +
                workflow.get("id").asText());
        }
        for (final Map.Entry<String, String> acked : keyById.entrySet())
        {
            check(acked.getKey().equals(idByKey.get(acked.getValue())), "acknowledged workflow " + acked.getKey() +
                " (key " + acked.getValue() + ") is missing on member 0, or its key is on workflow " +
                idByKey.get(acked.getValue()));
        }
        final List<String> unresolved = List.copyOf(load.unresolved);
        for (final Map.Entry<String, String> held : idByKey.entrySet())
        {
            check(load.idByKey.containsKey(held.getKey()) || unresolved.contains(held.getKey()),
                "workflow " + held.getValue() + " has key " + held.getKey() + ", which was never sent");
        }
        // every member holds the same workflows in the same state
        for (final Member member : members)
        {
            final Map<String, JsonNode> mine = workflowsByMember.get(member.id);
            check(mine.keySet().equals(reference.keySet()), "member " + member.id + " has " + mine.size() +
                " workflows, member 0 has " + reference.size());
            for (final Map.Entry<String, JsonNode> entry : reference.entrySet())
            {
                check(entry.getValue().equals(mine.get(entry.getKey())), "workflow " + entry.getKey() +
                    " differs: member 0 " + entry.getValue() + ", member " + member.id + " " +
                    mine.get(entry.getKey()));
            }
        }
        for (final String advancedId : load.advanced.keySet())
        {
            final JsonNode workflow = reference.get(advancedId);
            check("COMPLETED".equals(workflow.path("state").asText()), "advanced workflow " + advancedId +
                " is " + workflow);
        }
        // verify on every member: ok, consistent, no violation, one digest
        String digest = null;
        for (final Member member : members)
        {
            final JsonNode report = verify(member);
            if (null == digest)
            {
                digest = report.get("digest").asText();
            }
            check(digest.equals(report.get("digest").asText()), "member " + member.id + " digest " +
                report.get("digest").asText() + ", member 0 " + digest);
        }
        log("position " + position + ": " + reference.size() + " workflows alike on every member, " +
            load.advanced.size() + " advanced, verify digest " + digest + " on all");
        return digest;
    }

    /**
     * @return every workflow the member holds in memory, by id, read page by page in id order.
     */
    private Map<String, JsonNode> everyWorkflow(final Member member) throws IOException
    {
        final Map<String, JsonNode> byId = new HashMap<>();
        int offset = 0;
        while (true)
        {
            final JsonNode page = http.getOk(member.process, WORKFLOWS + "?sort=id&limit=1000&offset=" + offset);
            for (final JsonNode summary : page.get("workflows"))
            {
                final String id = summary.get("id").asText();
                byId.put(id, http.getOk(member.process, WORKFLOWS + "/" + id));
            }
            if (page.get("next_offset").isNull())
            {
                return byId;
            }
            offset = page.get("next_offset").asInt();
        }
    }

    /**
     * POST /api/v1/verify until it answers other than 503 (it waits for the processor's consistent point, and a
     * member that has just joined may not answer within the gateway's timeout), bounded.
     */
    private JsonNode verify(final Member member) throws IOException
    {
        final long startNs = System.nanoTime();
        final long deadline = startNs + FAULT_TIMEOUT.toNanos();
        HttpResponse<String> response = http.post(member.process, "/api/v1/verify", "");
        int unavailable = 0;
        while (503 == response.statusCode() && System.nanoTime() < deadline)
        {
            unavailable++;
            ServerProcess.pause(100);
            response = http.post(member.process, "/api/v1/verify", "");
        }
        if (unavailable > 0)
        {
            log("verify of member " + member.id + " answered 503 " + unavailable + " times over " +
                millisSince(startNs) + " ms");
        }
        final JsonNode report = readTree(response.body());
        if (200 != response.statusCode() || !report.path("ok").asBoolean() ||
            !report.path("consistent").asBoolean() || 0 != report.path("violation_count").asInt(-1))
        {
            throw failure("verify of member " + member.id + " answered " + response.statusCode() + " " +
                SystemHttp.abbreviate(response.body()));
        }
        return report;
    }

    // ---- the load ----

    /**
     * Clients that create workflows (unique keys, a retry with the same key against another member when an answer
     * is missing or 5xx) and advance the approval steps of acknowledged ones (expected_step_index 1 and a key).
     */
    private final class Load
    {
        final Map<String, String> keyById = new ConcurrentHashMap<>();
        final Map<String, String> idByKey = new ConcurrentHashMap<>();
        final Map<String, Boolean> advanced = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> toAdvance = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> unresolved = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicLong acks = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        final AtomicLong killedNs = new AtomicLong();
        final AtomicLong firstAckAfterNs = new AtomicLong();
        /** Until when a member that did not answer at all is avoided (unless every member is), like a client would. */
        final AtomicLongArray suspectUntilNs = new AtomicLongArray(MEMBERS);
        final List<Thread> threads = new ArrayList<>();
        volatile boolean running;
        /** Set when the test ends early: requests in flight give up their retries. */
        volatile boolean abandoned;

        void start()
        {
            running = true;
            for (int t = 0; t < CREATORS; t++)
            {
                final int thread = t;
                final Random threadRandom = new Random(seed + 1 + t);
                threads.add(Thread.ofPlatform().daemon().name("creator-" + t)
                    .start(() -> create(thread, threadRandom)));
            }
            final Random advanceRandom = new Random(seed + 1 + CREATORS);
            threads.add(Thread.ofPlatform().daemon().name("advancer").start(() -> advance(advanceRandom)));
        }

        void stop()
        {
            running = false;
            for (final Thread thread : threads)
            {
                try
                {
                    thread.join(TimeUnit.NANOSECONDS.toMillis(RETRY_BUDGET_NS) + 10_000);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            threads.clear();
        }

        void assertNoFailure()
        {
            check(failures.isEmpty(), failures.size() + " client failures: " + String.join("\n", failures));
        }

        private void create(final int thread, final Random threadRandom)
        {
            for (int n = 0; running; n++)
            {
                final String key = "sys-" + seed + "-" + thread + "-" + n;
                final String body = "{\"name\":\"wf-" + thread + "-" + n + "\",\"steps\":" + WORKFLOW_STEPS +
                    ",\"input\":{\"n\":" + n + "}}";
                final long[] sentNs = new long[1];
                final String answer = send(threadRandom, WORKFLOWS, key, body, "create " + key, sentNs);
                if (null == answer)
                {
                    unresolved.add(key);
                    continue;
                }
                final JsonNode workflow = readTree(answer);
                final String id = workflow.get("id").asText();
                final String earlier = idByKey.putIfAbsent(key, id);
                if (null != earlier && !earlier.equals(id))
                {
                    failures.add("key " + key + " acknowledged as workflow " + earlier + " and " + id);
                }
                if (!key.equals(workflow.path("idempotency_key").asText()))
                {
                    failures.add("create " + key + " answered " + answer);
                }
                keyById.put(id, key);
                toAdvance.add(id);
                acks.incrementAndGet();
                final long killed = killedNs.get();
                if (0 != killed && sentNs[0] - killed > 0)
                {
                    firstAckAfterNs.compareAndSet(0, System.nanoTime());
                }
            }
        }

        private void advance(final Random advanceRandom)
        {
            while (running)
            {
                final String id = toAdvance.poll();
                if (null == id)
                {
                    ServerProcess.pause(5);
                    continue;
                }
                final String answer = send(advanceRandom, WORKFLOWS + "/" + id + "/advance", "adv-" + seed + "-" + id,
                    "{\"expected_step_index\":1,\"output\":{\"by\":\"system-test\"}}", "advance " + id,
                    new long[1]);
                if (null == answer)
                {
                    unresolved.add("advance of " + id); // checked: it is COMPLETED or WAITING, never twice
                }
                else if (!answer.isEmpty())
                {
                    advanced.put(id, Boolean.TRUE);
                }
                else
                {
                    toAdvance.add(id); // its timer has not fired yet: try it later
                }
            }
        }

        /**
         * @return the 200/201 body, "" for a 409 that is not ALREADY_COMMITTED (a step not reached yet), or null when
         * no member answered within the retry budget; a failure is recorded for any other answer. {@code sentNs[0]}
         * is when the answered attempt was sent.
         */
        private String send(
            final Random r, final String path, final String key, final String body, final String what,
            final long[] sentNs)
        {
            final long deadline = System.nanoTime() + RETRY_BUDGET_NS;
            int last = -1;
            String lastAnswer = "none";
            while (System.nanoTime() < deadline && !abandoned)
            {
                final Member member = pick(r, last);
                if (null == member)
                {
                    ServerProcess.pause(20);
                    continue;
                }
                last = member.id;
                sentNs[0] = System.nanoTime();
                try
                {
                    final HttpResponse<String> response = http.send(java.net.http.HttpRequest
                        .newBuilder(member.process.uri(path))
                        .timeout(REQUEST_TIMEOUT)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", key)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                        .build());
                    final int status = response.statusCode();
                    if (200 == status || 201 == status)
                    {
                        return response.body();
                    }
                    if (409 == status)
                    {
                        return response.body().contains("ALREADY_COMMITTED") ? response.body() : "";
                    }
                    lastAnswer = status + " " + SystemHttp.abbreviate(response.body());
                    if (status < 500)
                    {
                        failures.add(what + " on member " + member.id + ": " + lastAnswer);
                        return "";
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    lastAnswer = ex.toString();
                    suspectUntilNs.set(member.id, System.nanoTime() + SUSPECT_NS);
                }
                retries.incrementAndGet();
                ServerProcess.pause(10 + r.nextInt(40));
            }
            if (!abandoned)
            {
                failures.add(what + ": no member answered within " +
                    TimeUnit.NANOSECONDS.toSeconds(RETRY_BUDGET_NS) + " s; last " + lastAnswer);
            }
            return null;
        }

        private Member pick(final Random r, final int notThisOne)
        {
            final long nowNs = System.nanoTime();
            final List<Member> candidates = new ArrayList<>(MEMBERS);
            final List<Member> suspects = new ArrayList<>(MEMBERS);
            for (final Member member : members)
            {
                if (member.up && member.id != notThisOne)
                {
                    (suspectUntilNs.get(member.id) - nowNs > 0 ? suspects : candidates).add(member);
                }
            }
            if (candidates.isEmpty())
            {
                candidates.addAll(suspects);
            }
            if (candidates.isEmpty())
            {
                return member(notThisOne);
            }
            return candidates.get(r.nextInt(candidates.size()));
        }

        private Member member(final int id)
        {
            return id >= 0 && members[id].up ? members[id] : null;
        }
    }

    // ---- helpers ----

    private void awaitAcks(final long count, final String what)
    {
        await(FAULT_TIMEOUT, count + " creates acknowledged (" + what + "), load failures " +
            load.failures, () -> load.acks.get() >= count);
    }

    private void await(final Duration timeout, final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw failure("not within " + timeout + ": " + what);
            }
            ServerProcess.pause(50);
        }
    }

    private void check(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw failure(message);
        }
    }

    private AssertionError failure(final String message)
    {
        final StringBuilder text = new StringBuilder(seedNote(message));
        for (final Member member : members)
        {
            if (null != member && null != member.process)
            {
                text.append("\n----- member ").append(member.id).append(" (pid ").append(member.process.pid())
                    .append(member.process.process().isAlive() ? ", alive" : ", exited").append(") -----\n")
                    .append(tail(member.process.output(), 60));
            }
        }
        return new AssertionError(text.toString());
    }

    private String seedNote(final String message)
    {
        return message + " [seed " + seed + ": -Daxiom.seed=" + seed + "]";
    }

    private static String tail(final String output, final int lines)
    {
        final List<String> all = output.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private void log(final String message)
    {
        System.out.println("ClusterSystemTest: " + message);
    }

    private static long millisSince(final long startNs)
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }

    private void signal(final long pid, final String signal)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
            {
                throw failure("kill -" + signal + " " + pid + " failed");
            }
        }
        catch (final IOException ex)
        {
            throw new AssertionError(seedNote("kill -" + signal + " " + pid), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(seedNote("interrupted"), ex);
        }
    }

    /**
     * @return a base port from which every member's five ports ({@code base + 10i + 0..4}) are free UDP ports on
     * loopback, below the ephemeral range that the workers' ingress ports come from.
     */
    private int freeBasePort()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = 20_000 + random.nextInt(1_200) * PORT_STEP;
            boolean free = true;
            for (int port = base; port < base + MEMBERS * PORT_STEP && free; port++)
            {
                try (DatagramSocket socket = new DatagramSocket(null))
                {
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                }
                catch (final IOException ex)
                {
                    free = false;
                }
            }
            if (free)
            {
                return base;
            }
        }
        throw new AssertionError(seedNote("no free port range in 100 attempts"));
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
