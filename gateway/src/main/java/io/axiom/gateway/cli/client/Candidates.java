package io.axiom.gateway.cli.client;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import io.axiom.codecs.WorkflowState;
import io.axiom.gateway.chaos.ChaosScenario;

/**
 * Completion candidates for option and parameter values, taken from the enums that define them, so that
 * {@code axiom completion} offers exactly what the server accepts.
 */
public final class Candidates
{
    private Candidates()
    {
    }

    /**
     * The workflow states a {@code --state} filter accepts: {@code CREATED}, {@code RUNNING}, ...
     */
    public static final class States implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            final List<String> names = new ArrayList<>();
            for (final WorkflowState state : WorkflowState.values())
            {
                if (state != WorkflowState.NULL_VAL)
                {
                    names.add(state.name());
                }
            }
            return names.iterator();
        }
    }

    /**
     * The chaos scenarios by their wire names: {@code process_kill}, {@code delay_injection}, ...
     */
    public static final class Scenarios implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            final List<String> names = new ArrayList<>();
            for (final ChaosScenario scenario : ChaosScenario.values())
            {
                names.add(scenario.wireName());
            }
            return names.iterator();
        }
    }
}
