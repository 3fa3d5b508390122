package io.axiom.gateway.config;

/**
 * A configuration that cannot be used: unknown key, wrong type, out of range, unreadable file. The message names
 * the key, where the value came from and what is allowed.
 */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong and where.
     */
    public ConfigException(final String message)
    {
        super(message);
    }

    /**
     * @param message what is wrong and where.
     * @param cause   the underlying failure.
     */
    public ConfigException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
