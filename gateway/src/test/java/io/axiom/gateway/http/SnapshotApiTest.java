package io.axiom.gateway.http;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;
import io.axiom.journal.SnapshotStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /api/v1/snapshots} takes a snapshot and answers when it is durable, joins one in flight, and refuses
 * clearly; {@code GET /api/v1/snapshots} lists them newest first and names the one start-up would load.
 */
class SnapshotApiTest
{
    @TempDir
    Path dir;

    @Test
    void takeThenListNewestFirst()
    {
        try (TestServer server = TestServer.start(dir))
        {
            final TestServer.Response empty = server.post("/api/v1/snapshots", null, null);
            assertEquals(409, empty.status(), empty.toString());
            assertEquals("NOTHING_TO_SNAPSHOT", empty.json().get("code").asText());

            VerifyApiTest.history(server);
            final TestServer.Response first = server.post("/api/v1/snapshots", null, null);
            assertEquals(201, first.status(), first.toString());
            assertEquals("application/json", first.contentType());
            final JsonNode taken = first.json();
            assertEquals(server.engine().journalPosition(), taken.get("position").asLong(), first.body());
            assertEquals(server.engine().eventCount(), taken.get("sequence").asLong(), first.body());
            assertTrue(taken.get("bytes").asLong() > 0, first.body());
            assertTrue(taken.get("duration_ms").asLong() >= 0, first.body());
            assertFalse(taken.get("joined").asBoolean(), first.body());
            final Path file = dir.resolve(SnapshotStore.DIRECTORY).resolve(taken.get("file").asText());
            assertTrue(Files.isRegularFile(file), file.toString());

            assertEquals(201, server.postJson("/api/v1/workflows",
                "{\"name\":\"later\",\"steps\":[{\"name\":\"A\",\"type\":\"approval\"}]}").status());
            final TestServer.Response second = server.postJson("/api/v1/snapshots", " {} ");
            assertEquals(201, second.status(), second.toString());
            assertTrue(second.json().get("position").asLong() > taken.get("position").asLong());

            final TestServer.Response list = server.get("/api/v1/snapshots");
            assertEquals(200, list.status(), list.toString());
            assertTrue(list.json().get("enabled").asBoolean());
            final JsonNode snapshots = list.json().get("snapshots");
            assertEquals(2, snapshots.size(), list.body());
            assertEquals(second.json().get("file"), snapshots.get(0).get("file"));
            assertTrue(snapshots.get(0).get("startup").asBoolean(), list.body());
            assertFalse(snapshots.get(1).get("startup").asBoolean(), list.body());
            assertEquals(taken.get("position"), snapshots.get(1).get("position"));
            assertEquals(taken.get("sequence"), snapshots.get(1).get("sequence"));
            assertEquals(taken.get("bytes"), snapshots.get(1).get("bytes"));
            assertTrue(snapshots.get(1).get("written_at").asText().endsWith("Z"), list.body());
            assertTrue(snapshots.get(1).get("problem").isNull(), list.body());
        }
    }

    @Test
    void graphQlTakesAndListsTheSame()
    {
        try (TestServer server = TestServer.start(dir))
        {
            VerifyApiTest.history(server);
            final TestServer.Response taken = server.postJson("/graphql",
                "{\"query\":\"mutation { takeSnapshot { file position sequence bytes duration_ms joined } }\"}");
            assertEquals(200, taken.status(), taken.toString());
            assertTrue(taken.json().path("errors").isMissingNode(), taken.body());
            final JsonNode snapshot = taken.json().at("/data/takeSnapshot");
            assertEquals(server.engine().journalPosition(), snapshot.get("position").asLong(), taken.body());
            assertFalse(snapshot.get("joined").asBoolean());

            final TestServer.Response list = server.postJson("/graphql",
                "{\"query\":\"{ snapshots { file position sequence bytes written_at startup problem } }\"}");
            assertEquals(200, list.status(), list.toString());
            final JsonNode snapshots = list.json().at("/data/snapshots");
            assertEquals(1, snapshots.size(), list.body());
            assertEquals(snapshot.get("file"), snapshots.get(0).get("file"));
            assertTrue(snapshots.get(0).get("startup").asBoolean());
            assertEquals(server.get("/api/v1/snapshots").json().at("/snapshots/0/written_at"),
                snapshots.get(0).get("written_at"));
        }
        try (TestServer server = TestServer.start(dir.resolve("off"), "--wal.snapshot-retain", "0"))
        {
            VerifyApiTest.history(server);
            final TestServer.Response off = server.postJson("/graphql",
                "{\"query\":\"mutation { takeSnapshot { file } }\"}");
            assertEquals(200, off.status(), off.toString());
            assertEquals("SNAPSHOTS_DISABLED", off.json().at("/errors/0/extensions/code").asText(), off.body());
        }
    }

    @Test
    void concurrentRequestsJoinRatherThanStartASnapshotEach() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            VerifyApiTest.history(server);
            final long before = server.engine().counters().snapshotCount();
            final List<TestServer.Response> responses = java.util.Collections.synchronizedList(new ArrayList<>());
            final List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 8; i++)
            {
                final Thread thread = new Thread(() -> responses.add(server.post("/api/v1/snapshots", null, null)));
                thread.start();
                threads.add(thread);
            }
            for (final Thread thread : threads)
            {
                thread.join();
            }
            int started = 0;
            for (final TestServer.Response response : responses)
            {
                assertEquals(201, response.status(), response.toString());
                started += response.json().get("joined").asBoolean() ? 0 : 1;
            }
            // each request that did not join began exactly one snapshot; those that joined began none
            assertEquals(started, server.engine().counters().snapshotCount() - before, responses.toString());
            assertTrue(started >= 1 && started <= 8, responses.toString());
        }
    }

    @Test
    void refusalsChangeNothing()
    {
        try (TestServer server = TestServer.start(dir))
        {
            VerifyApiTest.history(server);
            final TestServer.Response body = server.postJson("/api/v1/snapshots", "{\"now\":true}");
            assertEquals(400, body.status(), body.toString());
            assertEquals("UNKNOWN_FIELD", body.json().get("code").asText(), body.body());
            final TestServer.Response notJson = server.postJson("/api/v1/snapshots", "[1]");
            assertEquals(400, notJson.status(), notJson.toString());
            final TestServer.Response broken = server.postJson("/api/v1/snapshots", "{");
            assertEquals(400, broken.status(), broken.toString());
            final TestServer.Response delete = server.send(server.request("/api/v1/snapshots").DELETE().build());
            assertEquals(405, delete.status(), delete.toString());
            assertEquals("GET, POST", delete.header("Allow"));
            assertEquals(0, server.engine().counters().snapshotCount(), "no refusal took a snapshot");
            assertEquals(0, server.get("/api/v1/snapshots").json().get("snapshots").size());
        }
    }

    @Test
    void snapshotsOffIsAConflictThatSaysSo()
    {
        try (TestServer server = TestServer.start(dir, "--wal.snapshot-retain", "0"))
        {
            VerifyApiTest.history(server);
            final TestServer.Response res = server.post("/api/v1/snapshots", null, null);
            assertEquals(409, res.status(), res.toString());
            assertEquals("SNAPSHOTS_DISABLED", res.json().get("code").asText());
            assertTrue(res.json().get("detail").asText().contains("wal.snapshot-retain"), res.body());
            final JsonNode list = server.get("/api/v1/snapshots").json();
            assertFalse(list.get("enabled").asBoolean());
            assertEquals(0, list.get("snapshots").size());
        }
    }
}
