package io.axiom.chaos.soak;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.axiom.chaos.soak.EffectsLedger.Verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EffectsLedgerTest
{
    @Test
    void oneEffectPerKeyRepeatsAreDuplicatesAndLowerTokensAreStale()
    {
        final EffectsLedger ledger = new EffectsLedger();
        assertEquals(Verdict.APPLIED, ledger.apply("1-0", 100, 7));
        assertEquals(Verdict.DUPLICATE, ledger.apply("1-0", 100, 7), "the same attempt again");
        assertEquals(Verdict.DUPLICATE, ledger.apply("1-0", 300, 8), "a newer attempt: already applied");
        assertEquals(Verdict.STALE, ledger.apply("1-0", 200, 7), "older than one seen");
        assertEquals(Verdict.APPLIED, ledger.apply("1-1", 50, 7), "another key");

        assertEquals(2, ledger.applied());
        assertEquals(2, ledger.deduplicated());
        assertEquals(1, ledger.staleRejected());
        final EffectsLedger.Effect effect = ledger.effects().get("1-0");
        assertEquals(100, effect.token());
        assertEquals(7, effect.worker());
        assertEquals(List.of(100L, 100L, 300L, 200L), effect.tokens());
        assertEquals(300, effect.newestToken());
        assertEquals(2, effect.duplicates());
        assertEquals(1, effect.stale());
    }

    @Test
    void workersApplyOverHttp() throws Exception
    {
        try (EffectsLedger ledger = new EffectsLedger(); HttpClient http = HttpClient.newHttpClient())
        {
            final URI uri = ledger.serve();
            assertEquals("200 APPLIED", post(http, uri + "?key=4-2&token=900&worker=1001"));
            assertEquals("200 DUPLICATE", post(http, uri + "?key=4-2&token=950&worker=2001"));
            assertEquals("409 STALE", post(http, uri + "?key=4-2&token=900&worker=1001"));
            assertEquals("400 key is required", post(http, uri + "?token=1"));
            assertEquals("400 token and worker must be numbers", post(http, uri + "?key=4-3&token=x"));
            assertEquals(1, ledger.effects().size());
        }
    }

    private static String post(final HttpClient http, final String uri) throws Exception
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
