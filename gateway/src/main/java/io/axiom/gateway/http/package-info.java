/**
 * The REST face of Axiom: {@code /api/v1/workflows...}, {@code /health} and {@code /ready} on Helidon SE 4.
 * <p>
 * A request goes through three gates before the engine sees it:
 * <ol>
 *     <li><b>transport</b>: {@code Content-Type} must be JSON (415), the body must fit
 *     {@code gateway.max-body-bytes} (413); both are decided from headers before the body is read, and the body is
 *     read with a bound ({@link io.axiom.gateway.http.RequestBody}; broken chunked framing is 400
 *     {@code MALFORMED_BODY} and ends the connection);</li>
 *     <li><b>text</b>: {@link io.axiom.gateway.http.JsonCheck} passes once over the bytes: well-formed JSON, valid
 *     UTF-8, no unpaired surrogates, numbers of bounded size, bounded depth; a refusal names line, column and what
 *     was expected, in Axiom's words (Jackson's messages, which describe Jackson, never reach a client);</li>
 *     <li><b>shape</b>: {@link io.axiom.gateway.http.RequestParser} parses with Jackson (strict: no trailing tokens,
 *     no duplicate keys, no unknown fields) and checks types, required fields and limits, naming the exact field
 *     ({@code steps[2].retry.multiplier}) in the problem's detail and quoting at most a few dozen characters of a
 *     refused value;</li>
 *     <li><b>engine</b>: the engine checks limits again and decides on state (409 for an illegal transition).</li>
 * </ol>
 * Bad input never reaches the ring, and nothing is written for it. Every error leaves as
 * {@code application/problem+json} (RFC 9457) with {@code type}, {@code title}, {@code status}, {@code detail},
 * {@code instance} and a stable {@code code}: routing errors, Helidon's own early errors (through
 * {@link io.axiom.gateway.http.ProblemDirectHandler}, which learns Helidon's reason from
 * {@link io.axiom.gateway.http.RequestErrors} and words it itself) and unexpected exceptions alike. A 500 never
 * describes its exception: its detail is a reference to the server's log line. The one exception is {@code /ready},
 * whose 503 body is the specified {@code {"status":"RECOVERING"}} (or {@code FAILED}, {@code NOT_ACCEPTING}).
 * <p>
 * Status mapping of engine replies ({@link io.axiom.gateway.http.EngineProblems}, shared with GraphQL): CREATED 201
 * with {@code Location}, EXISTING (idempotent repeat) 200, OK 200, NOT_FOUND 404, CONFLICT 409, INVALID 400 (the same
 * status whether the gateway or the engine catches a bad input), OVERLOADED 503 with {@code Retry-After} (nothing was
 * written), UNAVAILABLE 503: after a timeout a read carries {@code Retry-After}, a write does not, since its outcome
 * is unknown, and its detail says how to retry safely.
 * <p>
 * <b>Search</b> ({@link io.axiom.gateway.http.WorkflowSearchParams}, shared with GraphQL): the list route takes
 * only the parameters it documents (any other is 400 {@code UNKNOWN_PARAMETER}, like an unknown body field) and
 * checks every value (400 {@code INVALID_QUERY}) before one query command carries the filters to the engine, which
 * answers them from its indexes.
 * <p>
 * <b>Workers over HTTP</b> ({@link io.axiom.gateway.http.WorkerApi}, {@link io.axiom.gateway.http.WorkerTasks}):
 * {@code POST /api/v1/tasks/fetch} and {@code /api/v1/tasks/{task_id}/complete|fail|heartbeat} speak the worker
 * protocol (the wire schema, {@code io.axiom.wire}) on the engine's ring through
 * {@code EngineClient.offerWorkerFrame}, so HTTP workers share the dealer, leases and fencing with Aeron workers. A
 * fetch is a short worker session: hello (capacity {@code max_tasks}), wait on the request's virtual thread for a
 * task or {@code wait_ms}, goodbye, and wait for the goodbye's acknowledgement before answering: the engine releases
 * replies in order, so every task dealt to the session is in the answer. The processor thread never waits: the sink
 * only copies bytes and wakes the request thread. The protocol's rejections keep their codes (409
 * STALE_FENCING_TOKEN, 409 ALREADY_COMMITTED with {@code committed_output}, 404 UNKNOWN_TASK, 400 MALFORMED, 507
 * NO_ROOM); a completion or failure that timed out is 503 without {@code Retry-After}, its detail saying that a retry
 * with the same token is safe.
 * <p>
 * <b>The log</b> ({@link io.axiom.gateway.http.RequestLog}): a routing filter, first of all, logs each refused request
 * (4xx) at DEBUG and each failed one (5xx) at WARNING on {@code axiom.http}, with method, path, status, code and
 * detail; refusals before routing are logged by the {@code ProblemDirectHandler}. Successful requests are not logged.
 * <p>
 * <b>Verify</b> ({@link io.axiom.gateway.http.VerifyModule}): {@code POST /api/v1/verify} runs the engine's
 * {@code LiveVerifier} on the request's virtual thread and answers its report (200 whatever it found; 409
 * {@code VERIFY_IN_PROGRESS} while one runs).
 * <p>
 * <b>Snapshots</b> ({@link io.axiom.gateway.http.SnapshotModule}): {@code POST /api/v1/snapshots} sends the engine a
 * {@code TakeSnapshot} through its client and answers 201 once the snapshot is durable (or joins the one in flight),
 * bounded by the request timeout; {@code GET /api/v1/snapshots} lists the files through {@code Engine.snapshotFiles()}
 * (their headers, read on the request's thread).
 * <p>
 * <b>Cluster members</b>: {@code /ready} of a server that runs as a cluster member
 * ({@link io.axiom.gateway.http.ClusterMembership}, given by {@code io.axiom.gateway.cluster}) names its
 * {@code member_id}, {@code role} and {@code leader_member_id}, and is 503 {@code NO_LEADER} while its gateway has no
 * session with a leader. This package never knows Aeron Cluster itself.
 * <p>
 * <b>Static files</b> ({@link io.axiom.gateway.http.StaticAsset}): the pages and assets of GraphiQL and the web console
 * are held in memory, plain and gzipped, and served with an ETag (304 on a match), {@code nosniff}, their
 * {@code Cache-Control} (immutable under versioned paths, revalidated otherwise) and, for a page, its
 * Content-Security-Policy.
 * <p>
 * This package faces people and talks to the engine only through {@code io.axiom.core.EngineClient} (and, for verify,
 * the engine's {@code LiveVerifier}, which asks the processor through the ring too); it never touches processor state,
 * the ring or the journal, and it never decides a workflow's state itself.
 */
package io.axiom.gateway.http;
