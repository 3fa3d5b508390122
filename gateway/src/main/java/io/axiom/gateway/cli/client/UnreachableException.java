package io.axiom.gateway.cli.client;

/**
 * No HTTP answer came back: the connection was refused, timed out or broke. The message names the server's URL.
 */
public final class UnreachableException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened, naming the URL.
     * @param cause   the I/O failure.
     */
    public UnreachableException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
