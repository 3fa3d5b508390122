/**
 * The web console at {@code GET /}: workflows (a searchable, paged table with live counts per state), one workflow
 * (its steps as a timeline, input and outputs, its events with their log positions, live over the
 * {@code workflowEvents} subscription), task queues and workers (live over {@code taskUpdates}), live charts of the
 * engine's figures, and the operator's actions (approve, cancel) behind a confirmation.
 * <p>
 * {@link io.axiom.gateway.console.ConsoleModule} serves static bytes only: the page, its style sheet and its native ES
 * modules (resources of this package, no build step) and uPlot from its webjar, under versioned paths cached for
 * good. Everything the page shows it asks for itself, from the public API: REST under {@code /api/v1} with
 * {@code Authorization: Bearer <token>} when a token is set (kept in the browser's session storage, never in a URL),
 * and GraphQL subscriptions over the WebSocket with the token in {@code connection_init}. It polls
 * {@code GET /api/v1/metrics} at most once a second and subscribes only to what is on screen (nothing while its tab is
 * hidden), so an open console costs the engine next to nothing.
 * <p>
 * What this package must never know: the engine, the schema's resolvers, or how tokens are checked. It holds no
 * workflow state; the API it calls is the one every other client uses.
 */
package io.axiom.gateway.console;
