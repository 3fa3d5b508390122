package io.axiom.gateway.http;

import java.time.Duration;

/**
 * Limits and timeouts the REST gateway enforces, and what one server's REST and GraphQL sides share.
 *
 * @param maxBodyBytes   largest request body accepted; larger gets 413.
 * @param maxSteps       most steps in one workflow.
 * @param maxNameLength  most characters in a workflow or step name.
 * @param requestTimeout how long a request waits for the engine before 503.
 * @param longPolls      when worker fetches stop waiting (the server stops serving).
 */
public record GatewaySettings(
    int maxBodyBytes, int maxSteps, int maxNameLength, Duration requestTimeout, LongPolls longPolls)
{
    /**
     * Settings with long polls of their own (one server's).
     *
     * @param maxBodyBytes   largest request body accepted; larger gets 413.
     * @param maxSteps       most steps in one workflow.
     * @param maxNameLength  most characters in a workflow or step name.
     * @param requestTimeout how long a request waits for the engine before 503.
     */
    public GatewaySettings(
        final int maxBodyBytes, final int maxSteps, final int maxNameLength, final Duration requestTimeout)
    {
        this(maxBodyBytes, maxSteps, maxNameLength, requestTimeout, new LongPolls());
    }

    /** Largest page a list request may ask for. */
    public static final int MAX_PAGE_SIZE = 1000;
    /** Page size of a list request that names none. */
    public static final int DEFAULT_PAGE_SIZE = 50;

    /**
     * @return bytes of an oversized body the gateway reads and discards before answering 413, so that the client
     * can read the answer instead of seeing its upload cut; Helidon refuses larger declared bodies itself.
     */
    public long drainLimit()
    {
        return Math.max(4L * maxBodyBytes, maxBodyBytes + 16L * 1024 * 1024);
    }
}
