package io.axiom.cluster.node;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.aeron.cluster.service.Cluster;

/**
 * A one-member cluster node in a process of its own, for tests that SIGKILL it: prints {@code LEADER <pid>} once it
 * leads, then runs until killed.
 */
public final class NodeProcess
{
    private NodeProcess()
    {
    }

    /**
     * @param args the node directory and the base port.
     */
    public static void main(final String[] args)
    {
        final ClusterNode node = ClusterNode.launch(new ClusterNode.Context()
            .memberId(0)
            .members(ClusterMembers.local(1, Integer.parseInt(args[1])))
            .nodeDir(new File(args[0]))
            .clusteredService(new SumService()));
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Cluster.Role.LEADER != node.role())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                System.out.println("NO LEADER");
                System.exit(1);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        System.out.println("LEADER " + ProcessHandle.current().pid());
        System.out.flush();
        while (true)
        {
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        }
    }
}
