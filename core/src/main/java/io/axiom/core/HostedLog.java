package io.axiom.core;

import org.agrona.DirectBuffer;

/**
 * Hosting the processor on a replicated log (Aeron Cluster, in the {@code cluster} module) instead of feeding it
 * from local producers: what the host hands the engine at start, and how the engine then behaves.
 * <p>
 * <b>What changes.</b> Writes reach the processor only as entries of the log ({@link CommandSlot#LOGGED}), in log
 * order, each stamped with the log's time; time moves only with the log's ticks ({@link CommandSlot#TICK}), which is
 * when timers fire and ended workflows retire; ready tasks are dealt after every entry. Nothing the processor writes
 * depends on its own clock, its batch boundaries or when it started, so every replica writes the same journal: the
 * local journal is a derivation of the replicated log. Reads stay local ({@link CommandSlot#LOCAL}): a replica
 * answers them from its own state, which includes every write it has acknowledged.
 * <p>
 * <b>Start.</b> The host passes the state of its last snapshot ({@link #snapshot()}, as the processor encoded it
 * for a {@link CommandSlot#SNAPSHOT} entry), or none; the journal is cut back to the end the snapshot is bound to
 * (or to empty), because the log's replay after the snapshot writes those records again.
 * <p>
 * <b>Snapshots.</b> Only the host's: a {@link CommandSlot#SNAPSHOT} entry is answered, after a flush, with the whole
 * state ({@link HostedSnapshot}), which the host writes into its snapshot. The data directory's own snapshots,
 * segment retention and the operators' snapshot requests are off in hosted mode.
 */
public final class HostedLog
{
    /**
     * A worker connection's route key ({@link CommandSlot#logged}) holds the sending gateway's session id of the log
     * above these low bits: when that session closes ({@link CommandSlot#SESSION_CLOSED}), its workers leave.
     */
    public static final int ROUTE_CONNECTION_BITS = 20;

    private final DirectBuffer snapshot;
    private final int snapshotLength;
    private final RouteResolver routes;

    /**
     * @param snapshot       the state the host's snapshot holds (as a {@link CommandSlot#SNAPSHOT} entry was
     *                       answered), or null to start from an empty state.
     * @param snapshotLength bytes of it.
     * @param routes         gives back the connections of the workers the snapshot names (called on the
     *                       processor's thread while it starts, before any entry).
     */
    public HostedLog(final DirectBuffer snapshot, final int snapshotLength, final RouteResolver routes)
    {
        this.snapshot = snapshot;
        this.snapshotLength = snapshotLength;
        this.routes = routes;
    }

    /**
     * @return how the workers a snapshot names are found again.
     */
    public RouteResolver routes()
    {
        return routes;
    }

    /**
     * @return the host's snapshot, or null.
     */
    public DirectBuffer snapshot()
    {
        return snapshot;
    }

    /**
     * @return bytes of the host's snapshot.
     */
    public int snapshotLength()
    {
        return snapshotLength;
    }
}
