package io.axiom.gateway.chaos;

import java.util.Locale;

/**
 * The faults a chaos run injects, named as the product brief names them.
 */
public enum ChaosScenario
{
    /**
     * At seeded random moments, end one of the server's own agents or connections and let it recover: every worker
     * connection dropped (workers say hello again), the worker transport restarted (its embedded media driver and
     * the endpoint's Aeron receiver), every HTTP connection closed (idle ones at once, busy ones after their answer).
     */
    PROCESS_KILL,
    /**
     * Random latency in the journal's group commit, in the processor's duty cycle, and in the worker endpoint's
     * sending and receiving.
     */
    DELAY_INJECTION,
    /**
     * Worker frames dropped in both directions at a rate: a lossy network between the engine and its workers. The
     * protocol recovers by itself: workers resend outcomes until answered, a lost dispatch returns when its lease
     * expires.
     */
    MESSAGE_DROP;

    /**
     * @return the scenario's name on the wire: {@code process_kill}, {@code delay_injection}, {@code message_drop}.
     */
    public String wireName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param name a wire name.
     * @return the scenario, or null when no scenario has that name.
     */
    public static ChaosScenario byWireName(final String name)
    {
        for (final ChaosScenario scenario : values())
        {
            if (scenario.wireName().equals(name))
            {
                return scenario;
            }
        }
        return null;
    }

    /**
     * @return every wire name, comma separated, for error messages.
     */
    public static String names()
    {
        final StringBuilder names = new StringBuilder();
        for (final ChaosScenario scenario : values())
        {
            names.append(names.isEmpty() ? "" : ", ").append(scenario.wireName());
        }
        return names.toString();
    }
}
