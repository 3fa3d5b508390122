package io.axiom.gateway.http;

/**
 * This server's place in a replicated cluster, as {@code /ready} reports it: which member it is, its role, the leader
 * its gateway writes to and whether it has a session with that leader. Read on every {@code /ready}, so each answer
 * is a cheap read of counters and volatile fields, never a query of the cluster.
 */
public interface ClusterMembership
{
    /**
     * @return this member's id.
     */
    int memberId();

    /**
     * @return {@code LEADER}, {@code FOLLOWER} or {@code CANDIDATE}.
     */
    String role();

    /**
     * @return the leader this member's gateway writes to, or -1 when none is known.
     */
    int leaderMemberId();

    /**
     * @return true while this member's gateway has a session with a leader (writes can reach the cluster's log).
     */
    boolean connected();
}
