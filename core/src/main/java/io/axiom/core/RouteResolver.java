package io.axiom.core;

/**
 * How a replicated host gives back the connections of workers a snapshot names by route key (a cluster-wide key for
 * each worker connection): the {@link Dealer}'s sessions are recreated on load with these, so a replica restored
 * from a snapshot deals tasks exactly as one that never stopped.
 */
public interface RouteResolver
{
    /**
     * @param routeKey a worker connection's route key (never 0).
     * @return where that connection's replies go.
     */
    ReplySink sink(long routeKey);

    /**
     * @param routeKey a worker connection's route key (never 0).
     * @return the token every frame of that connection carries (its identity for the dealer).
     */
    Object replyTo(long routeKey);
}
