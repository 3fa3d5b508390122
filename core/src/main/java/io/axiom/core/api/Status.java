package io.axiom.core.api;

/**
 * Outcome of a command or query, as the engine decided it.
 */
public enum Status
{
    /** Done; for a query, here is the answer. */
    OK,
    /** A new workflow was created and its events are durable. */
    CREATED,
    /** The idempotency key was seen before: this is the first workflow, nothing was written. */
    EXISTING,
    /** No workflow with that id. */
    NOT_FOUND,
    /** The command does not fit the workflow's current state. */
    CONFLICT,
    /** The command breaks a rule or a limit. */
    INVALID,
    /** The ring stayed full for longer than the caller was willing to wait; nothing was written. */
    OVERLOADED,
    /** The engine is stopping, stopped or failed, or the reply did not arrive in time. */
    UNAVAILABLE,
    /** The Idempotency-Key was used before for a different request; nothing was written. */
    UNPROCESSABLE,
    /** The journal has no room (disk full); nothing was written. Reads go on. */
    INSUFFICIENT_STORAGE,
    /** The answer would exceed the engine's reply budget; ask for less (page). */
    TOO_LARGE,
    /** A read failed inside the engine; nothing changed and the engine goes on. */
    INTERNAL
}
