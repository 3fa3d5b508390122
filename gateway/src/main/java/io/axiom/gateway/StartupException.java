package io.axiom.gateway;

/**
 * Why a server cannot start, in words an operator can act on (what is wrong, where, and what to do), with the exit
 * status the {@code axiom server} command ends with. Carries no stack trace unless a cause is given for
 * {@code --debug}.
 */
public final class StartupException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /**
     * @param exitCode the command's exit status: 1 operation failed, 2 configuration error.
     * @param message  the operator-ready reason, without the {@code axiom: } prefix.
     * @param cause    the underlying failure, shown only with {@code --debug}; may be null.
     */
    public StartupException(final int exitCode, final String message, final Throwable cause)
    {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /**
     * @return the exit status the server command ends with.
     */
    public int exitCode()
    {
        return exitCode;
    }
}
