package io.axiom.gateway.http;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.StepSpec;
import io.axiom.gateway.TestServer;
import io.axiom.journal.BackgroundVerifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server started from a snapshot checks the log before it in the background: its progress is in the metrics, and
 * corruption it finds is in {@code GET /ready} and the metrics while the server stays ready.
 */
class BackgroundCheckTest
{
    @TempDir
    Path dir;

    @Test
    void corruptionBeforeTheStartUpSnapshotIsShownAndTheServerStaysReady() throws Exception
    {
        final Path data = dir.resolve("data");
        try (TestServer server = TestServer.start(data, "--wal.max-segment-size", "64KiB"))
        {
            for (int i = 0; i < 600; i++)
            {
                assertInstanceOf(EngineReply.Workflow.class, server.engine().client().create(new CreateWorkflow(
                    "w" + i, List.of(StepSpec.approval("A")), ("{\"pad\":\"" + "y".repeat(100) + "\"}")
                    .getBytes(StandardCharsets.UTF_8), null), Duration.ofSeconds(10)));
            }
        }
        final Path segment = data.resolve(String.format("%020d.wal", 64 * 1024));
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw"))
        {
            file.seek(64 + 40);
            final int b = file.read();
            file.seek(64 + 40);
            file.write(b ^ 0x10);
        }

        try (TestServer server = TestServer.start(data, "--wal.max-segment-size", "64KiB"))
        {
            final BackgroundVerifier check = server.engine().counters().backgroundVerifier();
            assertNotNull(check, "started from the shutdown snapshot");
            assertTrue(check.await(60_000), check.toString());
            assertEquals(BackgroundVerifier.State.CORRUPT, check.state());

            final TestServer.Response ready = server.get("/ready");
            assertEquals(200, ready.status(), ready.toString());
            final JsonNode body = ready.json();
            assertEquals("READY", body.at("/status").asText());
            assertTrue(body.at("/walCorruption").asText().contains(segment.toString()), body.toString());

            final JsonNode metrics = server.get("/api/v1/metrics").json();
            assertEquals(1, metrics.at("/wal_background_verify/faults").asLong(), metrics.toString());
            assertTrue(metrics.at("/wal_background_verify/done").asBoolean());
            final String text = server.get("/api/v1/metrics/prometheus").body();
            assertTrue(text.contains("axiom_wal_background_verify_faults 1.0") ||
                text.contains("axiom_wal_background_verify_faults 1"), text);
            assertTrue(text.contains("axiom_wal_background_verify_segments_expected "), text);
        }
    }
}
