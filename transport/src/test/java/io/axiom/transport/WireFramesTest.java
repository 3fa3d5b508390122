package io.axiom.transport;

import java.nio.ByteOrder;

import io.axiom.wire.HeartbeatDecoder;
import io.axiom.wire.TaskCompletedDecoder;
import io.axiom.wire.TaskFailedDecoder;
import io.axiom.wire.WorkerGoodbyeDecoder;
import io.axiom.wire.WorkerHelloDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Every length inside a worker frame is checked before a decoder reads it.
 */
class WireFramesTest
{
    @Test
    void wellFormedFramesPass()
    {
        final byte[] completed = WorkerEndpointTest.completed(1, 2, 3, "{\"a\":1}");
        assertNull(check(completed, TaskCompletedDecoder.TEMPLATE_ID, TaskCompletedDecoder.BLOCK_LENGTH));
        final byte[] heartbeat = WorkerEndpointTest.heartbeat(1);
        assertNull(check(heartbeat, HeartbeatDecoder.TEMPLATE_ID, HeartbeatDecoder.BLOCK_LENGTH));
    }

    @Test
    void everyLengthIsChecked()
    {
        final byte[] completed = WorkerEndpointTest.completed(1, 2, 3, "{\"a\":1}");
        assertEquals("TaskCompleted has a block of 16 bytes, at least 24 expected",
            check(completed, TaskCompletedDecoder.TEMPLATE_ID, 16));
        assertEquals("TaskCompleted is truncated: 20 bytes, its header and block need 32",
            WireFrames.check(new UnsafeBuffer(completed), 0, 20, TaskCompletedDecoder.TEMPLATE_ID, 24, false));

        final UnsafeBuffer huge = new UnsafeBuffer(completed.clone());
        huge.putInt(32, -1, ByteOrder.LITTLE_ENDIAN); // a var length of 4 GiB - 1
        assertEquals("TaskCompleted is truncated in its output",
            WireFrames.check(huge, 0, completed.length, TaskCompletedDecoder.TEMPLATE_ID, 24, false));

        final byte[] failed = new byte[8 + TaskFailedDecoder.BLOCK_LENGTH + 2];
        assertEquals("TaskFailed is truncated in its error",
            check(failed, TaskFailedDecoder.TEMPLATE_ID, TaskFailedDecoder.BLOCK_LENGTH));

        final byte[] hello = new byte[8 + WorkerHelloDecoder.BLOCK_LENGTH + 4 + 4];
        final UnsafeBuffer h = new UnsafeBuffer(hello);
        h.putShort(8 + 16 + 2, (short)3, ByteOrder.LITTLE_ENDIAN); // three step names, then nothing
        assertEquals("WorkerHello is truncated in step name 1 of 3",
            check(hello, WorkerHelloDecoder.TEMPLATE_ID, WorkerHelloDecoder.BLOCK_LENGTH));

        final byte[] goodbye = new byte[8 + WorkerGoodbyeDecoder.BLOCK_LENGTH + 1];
        assertEquals("WorkerGoodbye has 1 trailing bytes",
            check(goodbye, WorkerGoodbyeDecoder.TEMPLATE_ID, WorkerGoodbyeDecoder.BLOCK_LENGTH));
        assertNull(WireFrames.check(new UnsafeBuffer(goodbye), 0, goodbye.length, WorkerGoodbyeDecoder.TEMPLATE_ID,
            WorkerGoodbyeDecoder.BLOCK_LENGTH, true), "a newer version may carry more");
        assertEquals("unknown worker frame template 22", check(goodbye, 22, 8));
    }

    private static String check(final byte[] frame, final int templateId, final int blockLength)
    {
        return WireFrames.check(new UnsafeBuffer(frame), 0, frame.length, templateId, blockLength, false);
    }
}
