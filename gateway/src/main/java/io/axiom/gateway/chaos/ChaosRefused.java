package io.axiom.gateway.chaos;

/**
 * A chaos run that did not start, and why, with the HTTP status REST answers it with (GraphQL maps the code).
 */
public final class ChaosRefused extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Chaos is off on this server. */
    public static final String FORBIDDEN = "FORBIDDEN";
    /** An unknown scenario or a bad duration or seed. */
    public static final String BAD_REQUEST = "BAD_REQUEST";
    /** Another run is in progress. */
    public static final String CONFLICT = "CHAOS_RUN_IN_PROGRESS";

    private final int status;
    private final String code;

    ChaosRefused(final int status, final String code, final String message)
    {
        super(message);
        this.status = status;
        this.code = code;
    }

    /**
     * @return 403, 400 or 409.
     */
    public int status()
    {
        return status;
    }

    /**
     * @return {@link #FORBIDDEN}, {@link #BAD_REQUEST} or {@link #CONFLICT}.
     */
    public String code()
    {
        return code;
    }
}
