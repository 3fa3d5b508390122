package io.axiom.gateway.listener;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connection limit never lets connections take the descriptors the journal and the JVM need.
 */
class FileDescriptorsTest
{
    @Test
    void theConfiguredLimitStandsWhenTheDescriptorsAllowIt()
    {
        assertEquals(1000, FileDescriptors.of(1_048_576, 90).connectionLimit(1000));
    }

    @Test
    void theLimitIsLoweredToWhatIsLeftAfterTheReserve()
    {
        final FileDescriptors small = FileDescriptors.of(256, 90);
        assertEquals(64, small.reserve());
        assertEquals(256 - 90 - 64, small.connectionLimit(1000));

        final FileDescriptors common = FileDescriptors.of(1024, 100);
        assertEquals(102, common.reserve());
        assertEquals(1024 - 100 - 102, common.connectionLimit(1000));
    }

    @Test
    void aHopelesslyLowLimitStillAdmitsAFewConnections()
    {
        assertEquals(FileDescriptors.MIN_CONNECTIONS, FileDescriptors.of(100, 90).connectionLimit(1000));
        assertEquals(3, FileDescriptors.of(100, 90).connectionLimit(3));
    }

    @Test
    void anUnknownLimitLeavesTheConfiguredOne()
    {
        assertEquals(1000, FileDescriptors.of(-1, -1).connectionLimit(1000));
    }

    @Test
    void thisProcessIsMeasured()
    {
        final FileDescriptors here = FileDescriptors.ofThisProcess();
        assertTrue(here.limit() > 0 && here.open() > 0 && here.open() < here.limit(), here.limit() + "/" + here.open());
    }
}
