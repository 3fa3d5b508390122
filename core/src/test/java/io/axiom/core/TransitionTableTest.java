package io.axiom.core;

import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Stream;

import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The transitions table: each command against each state a workflow can be in, with the outcome and the state
 * after. A refused command must leave the journal where it was.
 */
class TransitionTableTest
{
    @TempDir
    Path dir;

    enum Start
    {
        RUNNING_TASK, WAITING_APPROVAL, WAITING_TIMER, COMPLETED, CANCELLED
    }

    enum Command
    {
        ADVANCE, ADVANCE_WRONG_STEP, CANCEL
    }

    static Stream<Arguments> table()
    {
        return Stream.of(
            Arguments.of(Start.RUNNING_TASK, Command.ADVANCE, Status.OK, "WAITING"),
            Arguments.of(Start.RUNNING_TASK, Command.ADVANCE_WRONG_STEP, Status.CONFLICT, "RUNNING"),
            Arguments.of(Start.RUNNING_TASK, Command.CANCEL, Status.OK, "CANCELLED"),
            Arguments.of(Start.WAITING_APPROVAL, Command.ADVANCE, Status.OK, "WAITING"),
            Arguments.of(Start.WAITING_APPROVAL, Command.ADVANCE_WRONG_STEP, Status.CONFLICT, "WAITING"),
            Arguments.of(Start.WAITING_APPROVAL, Command.CANCEL, Status.OK, "CANCELLED"),
            Arguments.of(Start.WAITING_TIMER, Command.ADVANCE, Status.CONFLICT, "WAITING"),
            Arguments.of(Start.WAITING_TIMER, Command.ADVANCE_WRONG_STEP, Status.CONFLICT, "WAITING"),
            Arguments.of(Start.WAITING_TIMER, Command.CANCEL, Status.OK, "CANCELLED"),
            Arguments.of(Start.COMPLETED, Command.ADVANCE, Status.CONFLICT, "COMPLETED"),
            Arguments.of(Start.COMPLETED, Command.CANCEL, Status.CONFLICT, "COMPLETED"),
            Arguments.of(Start.CANCELLED, Command.ADVANCE, Status.CONFLICT, "CANCELLED"),
            Arguments.of(Start.CANCELLED, Command.CANCEL, Status.CONFLICT, "CANCELLED"));
    }

    @ParameterizedTest(name = "{0} + {1} -> {2}, {3}")
    @MethodSource("table")
    void transition(final Start start, final Command command, final Status status, final String stateAfter)
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            // TASK -> APPROVAL -> TIMER -> TASK: advancing from each start lands somewhere predictable.
            final long id = f.create("t", StepSpec.task("T"), StepSpec.approval("A"), StepSpec.timer("W", 1000),
                StepSpec.task("LAST")).id();
            final Function<Long, EngineReply> advance = (x) -> f.client().advance(x, null, null, TIMEOUT);
            switch (start)
            {
                case RUNNING_TASK ->
                {
                }
                case WAITING_APPROVAL -> advance.apply(id);
                case WAITING_TIMER ->
                {
                    advance.apply(id);
                    advance.apply(id);
                }
                case COMPLETED ->
                {
                    advance.apply(id);
                    advance.apply(id);
                    f.advanceClock(1000);
                    advance.apply(id);
                }
                case CANCELLED -> f.client().cancel(id, "stop", TIMEOUT);
            }
            assertEquals(start.name().split("_")[0], f.get(id).state());
            final long before = f.engine.journalPosition();

            final EngineReply reply = switch (command)
            {
                case ADVANCE -> advance.apply(id);
                case ADVANCE_WRONG_STEP -> f.client().advance(id, "NOT_A_STEP", null, TIMEOUT);
                case CANCEL -> f.client().cancel(id, "stop", TIMEOUT);
            };
            assertEquals(status, reply.status(), reply.toString());
            assertEquals(stateAfter, f.get(id).state());
            if (status != Status.OK)
            {
                assertEquals(before, f.engine.journalPosition());
            }
        }
    }
}
