package io.axiom.gateway.cli;

import java.util.Map;

/**
 * A command that reads environment variables; {@code AxiomMain} hands it the environment it runs with, so tests can
 * pass their own instead of the real one.
 */
public interface EnvironmentAware
{
    /**
     * @param env environment variables, never null.
     */
    void environment(Map<String, String> env);
}
