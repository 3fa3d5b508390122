package io.axiom.core;

/**
 * A record of the log describes a change that is illegal in the state the log itself built up to it: a step completed
 * twice, a workflow that was never created, an event of a type this version does not know. The log is the judge, so
 * such a record is corruption (or a log written by a newer version): recovery refuses to start rather than build a
 * state no sequence of legal commands could reach. Live, it means a decider emitted an illegal event, and the
 * processor stops before that event can be acknowledged.
 */
public final class IllegalEventException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final long position;

    /**
     * @param position journal position of the record.
     * @param message  what is illegal about it.
     */
    IllegalEventException(final long position, final String message)
    {
        super("illegal event in the journal at position " + position + ": " + message);
        this.position = position;
    }

    /**
     * @return journal position of the illegal record.
     */
    public long position()
    {
        return position;
    }
}
