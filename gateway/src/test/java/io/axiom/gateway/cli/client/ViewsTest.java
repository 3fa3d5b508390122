package io.axiom.gateway.cli.client;

import java.io.PrintWriter;
import java.io.StringWriter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every time the tables print is ISO-8601 UTC with milliseconds, whether the server sent a string or epoch
 * milliseconds.
 */
class ViewsTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void epochMillisecondsBecomeIsoAndNothingStaysADash() throws Exception
    {
        assertEquals("2026-01-02T03:04:05.678Z", Views.time(MAPPER.readTree("1767323045678")));
        assertEquals("1970-01-01T00:00:00.001Z", Views.time(MAPPER.readTree("1")));
        assertEquals("2026-01-02T03:04:05.678Z", Views.time(MAPPER.readTree("\"2026-01-02T03:04:05.678Z\"")));
        assertEquals("-", Views.time(MAPPER.readTree("0")));
        assertEquals("-", Views.time(MAPPER.readTree("null")));
        assertEquals("-", Views.time(null));
        assertTrue(Views.isTime("lease_expires_at") && Views.isTime("attempt_deadline") && Views.isTime("deadline") &&
            Views.isTime("wake_at") && !Views.isTime("fencing_token") && !Views.isTime("duration_ms"));
    }

    @Test
    void eventFieldsThatAreTimesPrintIso() throws Exception
    {
        final JsonNode events = MAPPER.readTree("{\"workflow_id\":\"3\",\"total\":2,\"next_after\":null,\"events\":[" +
            "{\"position\":64,\"sequence\":1,\"type\":\"StepLeased\",\"timestamp\":\"2026-01-02T03:04:05.678Z\"," +
            "\"step_index\":0,\"fencing_token\":64,\"lease_expires_at\":1767323075678,\"attempt_deadline\":0}," +
            "{\"position\":200,\"sequence\":2,\"type\":\"TimerScheduled\",\"timestamp\":\"2026-01-02T03:04:05.679Z\"," +
            "\"step_index\":1,\"deadline\":1767326645678,\"purpose\":\"WAKE\"}]}");
        final StringWriter out = new StringWriter();
        Views.events(new PrintWriter(out, true), events);

        final String text = out.toString();
        assertTrue(text.contains("fencing_token=64 lease_expires_at=2026-01-02T03:04:35.678Z attempt_deadline=-"),
            text);
        assertTrue(text.contains("deadline=2026-01-02T04:04:05.678Z purpose=WAKE"), text);
        assertTrue(text.contains("64        1    2026-01-02T03:04:05.678Z  StepLeased"), text);
    }

    @Test
    void workflowTimesStayIso() throws Exception
    {
        final JsonNode workflow = MAPPER.readTree("{\"id\":\"1\",\"name\":\"t\",\"state\":\"WAITING\"," +
            "\"current_step\":\"PAUSE\",\"current_step_index\":0,\"steps\":[{\"index\":0,\"name\":\"PAUSE\"," +
            "\"type\":\"timer\",\"status\":\"ACTIVE\",\"attempts\":1,\"completed_at\":null,\"output\":null}]," +
            "\"created_at\":\"2026-01-02T03:04:05.678Z\",\"updated_at\":1767323045679,\"event_count\":3," +
            "\"wake_at\":\"2026-01-02T03:05:05.678Z\",\"reason\":null,\"input\":null,\"idempotency_key\":null}");
        final StringWriter out = new StringWriter();
        Views.workflow(new PrintWriter(out, true), workflow);

        final String text = out.toString();
        assertTrue(text.contains("created at       2026-01-02T03:04:05.678Z"), text);
        assertTrue(text.contains("updated at       2026-01-02T03:04:05.679Z"), text);
        assertTrue(text.contains("wake at          2026-01-02T03:05:05.678Z"), text);
    }
}
