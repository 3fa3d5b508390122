/**
 * GraphQL at {@code /graphql}: the README's schema, served by graphql-java over HTTP and, for subscriptions, over a
 * WebSocket speaking {@code graphql-transport-ws}.
 *
 * <h2>The pieces</h2>
 * <ul>
 *     <li>{@code axiom.graphqls} (a resource beside these classes) is the one definition of the API. Output fields
 *     are snake_case like the REST documents; arguments are named as the README names them. Closed sets are enums
 *     in upper case (workflow state, step type and status, engine status); an event's {@code type} stays the log's
 *     record name. {@code createWorkflow} takes task step names in {@code steps} or step objects in
 *     {@code typedSteps} ({@code StepInput}, the REST step object with its field names), exactly one of them:
 *     GraphQL has no input unions, and a second list keeps {@code steps} working for every client as it is.</li>
 *     <li>{@link io.axiom.gateway.graphql.AxiomGraphQl} wires the SDL to {@code Operations} (one blocking
 *     {@code EngineClient} call per root field, on the caller's virtual thread; the worker mutations
 *     {@code fetchTasks}, {@code completeTask}, {@code failTask} and {@code heartbeatTask} go through the REST worker
 *     API's {@code WorkerTasks}, with its long poll and its refusals), adds the depth and complexity
 *     limits ({@link io.axiom.gateway.graphql.QueryLimits}) and gives every error an {@code extensions.code}
 *     ({@link io.axiom.gateway.graphql.GraphQlProblem}). Input is checked by the REST API's own
 *     {@code RequestParser}: both APIs refuse the same input the same way, and refused input never reaches the
 *     engine.</li>
 *     <li>{@code GraphQlHttpHandler} serves {@code POST /graphql} (JSON requests and {@code application/graphql}
 *     documents) and {@code GET /graphql?query=...} (queries only: a mutation is 405, found by parsing the document
 *     before it runs), answering {@code application/graphql-response+json} when the client prefers it;
 *     {@code GraphQlWsConnection} serves the
 *     WebSocket, checks the API token carried by {@code connection_init}, relays each operation's results, and pings
 *     the client every third of {@code gateway.idle-timeout-ms} so that a quiet subscription is not idle.</li>
 * </ul>
 *
 * <h2>Hostile input</h2>
 * Bodies and WebSocket messages pass the REST API's {@code JsonCheck} before Jackson reads them (UTF-8, surrogates,
 * bounded numbers and depth), and JSON held in a string argument passes it too, as do the {@code variables} and
 * {@code extensions} of a GET; an {@code application/graphql} body and GET parameters must decode as strict UTF-8. Number literals in the document are
 * bounded by {@code QueryText} before graphql-java parses them (it would turn a million digits into a
 * {@code BigInteger}, ten seconds of CPU), and the JSON scalar bounds literal and variable numbers again.
 * graphql-java's own messages are reworded by {@code GraphQlMessages} without Java or AST type names, and an
 * unexpected failure is reported by a reference to the server's log, never by its exception.
 *
 * <h2>Subscriptions: in log order, without gaps, only after fsync</h2>
 * The engine broadcasts every event after the fsync of its batch on its {@code EventFeed}. One agent thread, the
 * {@code EventFanOut}, reads the feed and offers each event to the streams that want it, never waiting for any of
 * them. A {@code workflowEvents} stream registers with the fan-out <em>first</em>, then reads the workflow's history
 * through the engine; it emits the history, then the live events, skipping positions already emitted, so the union
 * is complete and duplicates vanish. If the feed laps the fan-out, every stream rereads the history and goes on after
 * its last emitted position. Each stream has its own pump thread and a bounded inbox: a subscriber that cannot keep
 * up is ended with {@code SLOW_SUBSCRIBER} rather than slowing anyone else. {@code taskUpdates} coalesces task
 * events into one reading of the queues, at most every 100 ms.
 *
 * <h2>What this package must never know</h2>
 * The engine's state or threads: it sees only {@code Engine}, {@code EngineClient}, {@code EventFeed},
 * {@code EventDescriber} and the {@code api} records. Nor does it know how HTTP requests are authenticated (the auth
 * filter's business) or how GraphiQL is served.
 */
package io.axiom.gateway.graphql;
