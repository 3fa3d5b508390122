package io.axiom.codecs;

import java.nio.charset.StandardCharsets;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CodecRoundTripTest
{
    @Test
    void createWorkflowCommandRoundTripsAndMatchesTheEventLayout()
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final CreateWorkflowEncoder encoder = new CreateWorkflowEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(42);
        encoder.stepsCount(2)
            .next().type(StepType.TASK).timeoutMs(1).durationMs(0).maxAttempts(3).backoffMs(100).maxBackoffMs(1000)
            .multiplier(2.0).name("RESERVE")
            .next().type(StepType.TIMER).timeoutMs(0).durationMs(5000).maxAttempts(1).backoffMs(0).maxBackoffMs(0)
            .multiplier(1.0).name("COOL_OFF");
        encoder.name("order").idempotencyKey("k-1");
        final byte[] input = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        encoder.putInput(input, 0, input.length);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();

        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        assertEquals(CreateWorkflowDecoder.TEMPLATE_ID, header.templateId());
        final CreateWorkflowDecoder decoder = new CreateWorkflowDecoder()
            .wrap(buffer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        assertEquals(42, decoder.correlationId());
        final CreateWorkflowDecoder.StepsDecoder steps = decoder.steps();
        assertEquals(2, steps.count());
        steps.next();
        assertEquals(StepType.TASK, steps.type());
        assertEquals(2.0, steps.multiplier());
        assertEquals("RESERVE", steps.name());
        steps.next();
        assertEquals(StepType.TIMER, steps.type());
        assertEquals(5000, steps.durationMs());
        assertEquals("COOL_OFF", steps.name());
        assertEquals("order", decoder.name());
        assertEquals("k-1", decoder.idempotencyKey());
        final byte[] decoded = new byte[decoder.inputLength()];
        decoder.getInput(decoded, 0, decoded.length);
        assertEquals("{\"a\":1}", new String(decoded, StandardCharsets.UTF_8));
        assertEquals(length, decoder.limit());

        // The processor turns the command into its event by rewriting header and block only: the layouts must agree.
        assertEquals(CreateWorkflowEncoder.BLOCK_LENGTH, WorkflowCreatedEncoder.BLOCK_LENGTH);
        assertEquals(CreateWorkflowEncoder.StepsEncoder.sbeBlockLength(), WorkflowCreatedEncoder.StepsEncoder.sbeBlockLength());
        final UnsafeBuffer event = new UnsafeBuffer(new byte[length]);
        event.putBytes(0, buffer, 0, length);
        new WorkflowCreatedEncoder().wrapAndApplyHeader(event, 0, new MessageHeaderEncoder()).workflowId(7);
        final WorkflowCreatedDecoder created = new WorkflowCreatedDecoder()
            .wrap(event, MessageHeaderDecoder.ENCODED_LENGTH, WorkflowCreatedDecoder.BLOCK_LENGTH, 1);
        assertEquals(7, created.workflowId());
        final WorkflowCreatedDecoder.StepsDecoder createdSteps = created.steps();
        createdSteps.next();
        assertEquals("RESERVE", createdSteps.name());
        createdSteps.next();
        assertEquals("COOL_OFF", createdSteps.name());
        assertEquals("order", created.name());
        assertEquals("k-1", created.idempotencyKey());
        assertEquals(7, created.inputLength());
    }

    @Test
    void workflowViewRoundTripsGroupsAndVarData()
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final WorkflowViewEncoder encoder = new WorkflowViewEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(1).status(ReplyStatus.CREATED).workflowId(9).state(WorkflowState.WAITING)
            .currentStep(1).createdAt(10).updatedAt(20).eventCount(4).lastPosition(512).wakeAt(99);
        final WorkflowViewEncoder.StepStatesEncoder states = encoder.stepStatesCount(2);
        states.next().status(StepStatus.COMPLETED).attempts(1).completedAt(15).putOutput(new byte[] {'1'}, 0, 1);
        states.next().status(StepStatus.ACTIVE).attempts(1).completedAt(0).putOutput(new byte[0], 0, 0);
        encoder.putDefinition(new byte[] {1, 2, 3}, 0, 3).reason("");

        final WorkflowViewDecoder decoder = new WorkflowViewDecoder()
            .wrap(buffer, MessageHeaderDecoder.ENCODED_LENGTH, WorkflowViewDecoder.BLOCK_LENGTH, 1);
        assertEquals(WorkflowState.WAITING, decoder.state());
        assertEquals(99, decoder.wakeAt());
        final WorkflowViewDecoder.StepStatesDecoder decodedStates = decoder.stepStates();
        decodedStates.next();
        assertEquals(StepStatus.COMPLETED, decodedStates.status());
        assertEquals(1, decodedStates.outputLength());
        decodedStates.skipOutput();
        decodedStates.next();
        assertEquals(StepStatus.ACTIVE, decodedStates.status());
        decodedStates.skipOutput();
        assertEquals(3, decoder.definitionLength());
        decoder.skipDefinition();
        assertEquals("", decoder.reason());
    }
}
