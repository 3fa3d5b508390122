/**
 * The business-logic processor: the one place where workflows change.
 * <p>
 * <b>Shape.</b> Producers (gateway request threads, later the Aeron poller) claim a slot of the {@link
 * io.axiom.core.CommandRing} (a Disruptor ring of fixed-size {@link io.axiom.core.CommandSlot}s), encode one SBE
 * command into it and publish. One thread, the {@link io.axiom.core.Processor} agent, drains the ring in batches.
 * For each command the {@link io.axiom.core.WorkflowStateMachine} validates completely, then writes events into the
 * journal and applies each one it wrote. A command's events are one atomic unit of the journal. At the end of the
 * batch the journal is forced once (group commit) and only then are the batch's replies, kept meanwhile in the
 * {@link io.axiom.core.ReplyArena}, handed to their {@link io.axiom.core.ReplySink}s. Nothing leaves before it is
 * durable.
 * <p>
 * <b>Where each behaviour lives.</b> One idea a class, found by its name:
 * <ul>
 *     <li>the state: {@link io.axiom.core.EngineState} (workflow table, definitions, idempotency keys, and the
 *     indexes derived from them: {@link io.axiom.core.StateIndex}, {@link io.axiom.core.NameIndex},
 *     {@link io.axiom.core.StepIndex}, {@link io.axiom.core.TaskQueues}, {@link io.axiom.core.Timers});</li>
 *     <li>the {@link io.axiom.core.Applier}: the only code that changes the state, by applying an event, the same
 *     for live and replay, and strict: an event illegal in the current state is an
 *     {@link io.axiom.core.IllegalEventException} naming its position;</li>
 *     <li>the deciders, one per command: {@link io.axiom.core.CreateDecider}, {@link io.axiom.core.AdvanceDecider},
 *     {@link io.axiom.core.CancelDecider}, {@link io.axiom.core.TimerDecider}; they read the state, validate, and
 *     emit events through the {@link io.axiom.core.EventWriter} (the one place events are encoded) and the
 *     {@link io.axiom.core.StepFlow} (what happens when a step starts and when it completes);</li>
 *     <li>workers: the {@link io.axiom.core.Dealer} (connected workers and their credits; deals ready task steps
 *     fairly; sessions with a route key are in snapshots and come back through a host's
 *     {@link io.axiom.core.RouteResolver}), the {@link io.axiom.core.WorkerDecider} (the worker protocol's frames: hello, heartbeat,
 *     completion and failure judged by fencing token, goodbye) and {@link io.axiom.core.Lease};</li>
 *     <li>the reads: {@link io.axiom.core.Queries} and {@link io.axiom.core.WorkflowViews}, with byte budgets; a
 *     list's filters (state, name or name prefix, current step, creation range) and order are planned and walked
 *     over the indexes by the {@link io.axiom.core.WorkflowSearch}, never by scanning every workflow, and within a
 *     work budget of workflows read ({@code EngineContext.searchBudget}: a total past it is a lower bound);</li>
 *     <li>the {@link io.axiom.core.SnapshotCodec}, beside the state it encodes;</li>
 *     <li>verify: the {@link io.axiom.core.LogVerifier} replays a log from disk (every segment, read-only) through a
 *     fresh {@code EngineState} and the strict {@code Applier}, off the processor thread, and checks the promises with
 *     small judges of its own ({@link io.axiom.core.CompletionLedger}: one commit per step;
 *     {@link io.axiom.core.FencingLedger}: a worker's completion carries the current lease's token;
 *     {@link io.axiom.core.StuckWorkflows}: nothing left waiting for an event no one will write); the
 *     {@link io.axiom.core.LiveVerifier} does the same for a running engine up to a consistent point it asks the
 *     processor for (one query, the only time it holds the processor), and compares digests.</li>
 * </ul>
 * A new event type touches the schema, the {@code Applier}, the {@code EventWriter} and one decider; a new read
 * touches {@code Queries}.
 * <p>
 * <b>Workers.</b> A task step waits in its step name's ready queue until the dealer leases it to a worker with
 * spare capacity: a StepLeased event whose log position is the lease's fencing token, then a TaskAssigned frame to the
 * worker's sink, released after the flush like a reply. Worker frames (the wire schema, {@code io.axiom.wire}) arrive on
 * the same ring as commands, from the Aeron endpoint or the HTTP worker API, with the connection's sink. A completion
 * commits only with the current token and only once (StepCompleted by WORKER with the token); a repeat answers
 * ALREADY_COMMITTED with the committed output, any other token STALE_FENCING_TOKEN, and nothing is written. An
 * operator's advance of a leased step fences the lease off. A lease expires after {@code leaseDurationMs} without a
 * heartbeat (heartbeats are never logged, the expiry is in snapshots; after a single-node restart every lease in
 * flight gets a fresh period), an
 * attempt after {@code workerTimeoutMs} (or the step's timeout): either is a failed attempt, retried by the step's
 * policy (attempts, backoff, multiplier, max backoff; the workflow WAITING meanwhile) until exhausted, then FAILED with
 * the last error.
 * <p>
 * <b>Bounded.</b> Every answer is cut to {@code EngineContext.maxReplyBytes} and says where the next page starts;
 * the replies of one batch are held to {@code maxBatchReplyBytes} (a large read beyond it is answered "retry
 * shortly"), and the reply buffer goes back to its base size after a batch that grew it. A search reads at most
 * {@code EngineContext.searchBudget} workflows (about 2 ms), however many match. A read that fails answers a
 * problem and the processor goes on; a write that fails after writing part of its events is fatal, and the unit it
 * left unfinished never becomes durable.
 * <p>
 * <b>State.</b> Every state change is the application of an event: live, right after the event is written, and at
 * start-up, when the whole log is replayed through the same method. The processor reads the clock once per command
 * and stamps it into the events; replay never reads the clock, so the same log gives the same state. Workflow ids
 * are dense and assigned here (id = creation order), which makes the workflow table an array. A create is stamped no
 * earlier than the create before it (the clock may step back), so creation time never decreases in id order and a
 * creation range is an id range.
 * <p>
 * <b>Time.</b> A timer's deadline ({@code wake_at}) is absolute and in the log (TimerScheduled), so a restart, a crash
 * or a snapshot rebuilds it and TimerFired in the log or not says whether it fired. The processor looks for due timers
 * once per timer tick of the clock, and again at once when the clock steps back; timers due together (days down, a
 * clock moved ahead) fire in {@code wake_at} order ({@link io.axiom.core.Timers}); a clock that steps back delays
 * them, never fires one early. {@code LongTimersTest} and {@code LongTimersCrashTest} drive 7- and 30-day timers
 * through all of this with a clock the test sets ({@code EngineContext.epochClock}).
 * <p>
 * <b>Snapshots.</b> Every {@code snapshotIntervalEvents} events (and at a clean shutdown) the processor marks its
 * state after a group commit, with the journal position it covers, and from there captures it without stopping:
 * the {@link io.axiom.core.SnapshotCapture} encodes {@code snapshotSliceWorkflows} workflows per duty cycle, each
 * with its create's Idempotency-Key (then the operation keys, from their insertion-ordered
 * {@link io.axiom.core.KeyLog}), and the
 * {@link io.axiom.core.Applier} tells it before it changes a workflow, so that a workflow not yet encoded is first
 * encoded as it was at the mark (copy-on-write of one encoded record, not of a table chunk: why is in
 * {@code SnapshotCapture}). The {@link io.axiom.core.SnapshotWriter}'s thread streams the bytes to the snapshot's
 * temp file as they come, then commits it (checksums, fsync, rename, directory fsync). The processor's longest pause
 * for a snapshot is one slice (2,048 workflows by default: about 1 ms at 8,192 a slice measured by {@code
 * SnapshotPauseProbe} on an idle processor, but on two shared cores the longest slice of a 5-million snapshot taken
 * under load was 4-9 ms at 8,192 and the command stall 17-23 ms, 11 ms at 2,048 (BENCHMARKS.md "Snapshot of N live
 * workflows while commands flow"); encoding a million workflows whole took about 100 ms). Start-up loads the newest valid snapshot and replays the log
 * after it; with snapshots on, the journal checks records only from that snapshot's position (start-up bounded by the
 * snapshot interval), and as recovery ends (before it reports ready) the processor starts the journal's background
 * check of the records before it ({@code BackgroundCheckLog} logs its faults and end, {@link
 * io.axiom.core.EngineCounters#backgroundVerifier()} shows its progress; a fault there does not stop the engine); tests
 * prove this gives the same state digest as replaying the whole log, for snapshots captured while
 * commands change the workflows being captured. Timers, task queues and the search indexes are not stored: they are
 * derived from the workflows when the snapshot loads (names from each workflow's WorkflowCreated record, which the
 * log keeps for its views anyway), with what derivation cannot know stored: each lease's expiry and armed timer
 * deadline, the order workflows became ready or ended, which task queues were ever used. The dealer's routable
 * sessions are stored too, so that the events written after a snapshot depend only on its state and the commands
 * after it (a replica restored from it writes what one that never stopped writes; {@code DeterministicReplicaTest}),
 * and {@code WorkflowStateMachine.encodeSnapshot} encodes the same bytes at once for a replicated host. A workflow that
 * left the heap is part of a run of holes in the snapshot (8 bytes a run); one that leaves while a snapshot is
 * captured is kept first, as any change is.
 * <p>
 * <b>Retention.</b> {@link io.axiom.core.Retention} decides which segments leave the live log: the oldest one, when
 * it is sealed, wholly below the segment of the oldest kept snapshot's last record, its last record older than
 * {@code historyRetentionMs} by the engine's clock, and (policy delete only) below the created record of the oldest
 * workflow in the table, the lowest position any workflow on the heap reads ({@code
 * WorkflowStateMachine.oldestReferencedPosition}, O(1)). The processor checks the cheap conditions once per duty cycle
 * (after a snapshot is written, after a retirement, once a minute of clock) and hands the segment to the retention
 * thread, which reads the snapshot headers and the segment file and writes the archive (or the summary); the
 * processor retires the segment between batches when the answer comes. It never waits for that thread, and the
 * segment is unmapped on the processor only, so no read of an old position races it: such reads go to the archive
 * afterwards. Without snapshots nothing is retired. A start-up whose replay would need records the delete policy
 * removed refuses.
 * <p>
 * <b>Snapshots on demand.</b> A {@code TakeSnapshot} command ({@link io.axiom.core.EngineClient#takeSnapshot}) goes
 * to the {@link io.axiom.core.SnapshotRequests}: it joins the snapshot being captured or written, or asks the
 * processor to mark one after this duty cycle's group commit; it waits there (at most
 * {@code SnapshotRequests.MAX_WAITERS} requests, more are OVERLOADED), holding nothing, and is answered with the
 * batch's replies once the {@link io.axiom.core.SnapshotWriter} publishes that the snapshot is durable (SnapshotTaken)
 * or failed. Snapshots off is CONFLICT {@code SNAPSHOTS_DISABLED}, an empty log CONFLICT {@code NOTHING_TO_SNAPSHOT}.
 * {@code Engine.snapshotFiles()} lists the files by their headers, on the caller's thread.
 * <p>
 * <b>Memory.</b> A workflow keeps only what decides its future: state, current step, attempt, the positions of its
 * events, and a reference to its name in the names' dictionary (for search). Its input, outputs and reasons stay in
 * the log and are read back by position when a view is asked for; its definition (its steps) is shared with every
 * workflow created with the same step list, whatever its name.
 * <p>
 * <b>A bounded heap.</b> An ended workflow leaves the heap {@code EngineContext.inMemoryRetentionMs} after it ended
 * ({@code retention.in-memory}): the processor writes a WorkflowRetired event for it (oldest ended first, at most
 * {@code retireLimit} a duty cycle, from a queue of ended ids that is derived, not stored), and applying that event,
 * live and in replay alike, writes the workflow's snapshot record to the {@link io.axiom.core.ColdStore} (files under
 * {@code <data-dir>/cold/}, an index by id in a sparse mapped file: nothing on the heap per retired workflow) and
 * removes it from the table (a hole; a chunk whose workflows all left is freed), the state and name indexes (a name
 * with no workflow left leaves the dictionary) and the state bitmaps (an emptied bitmap chunk is freed). Reads by id
 * (get, events, replay) and commands (advance, cancel, a worker's completion, a create's Idempotency-Key) fall
 * through to the cold store for an id below the next id that is not on the heap, and answer as for an ended
 * workflow; a record deleted by {@code retention.history} answers not found with that reason. Lists and searches
 * cover the heap only. The cold store's records are made durable before any snapshot that lacks their workflows is
 * committed (the {@link io.axiom.core.SnapshotWriter} forces it first); until then the log's WorkflowRetired events
 * rewrite them on replay, idempotently. A retired workflow's create Idempotency-Key leaves the heap with it: the key
 * is in its record, and its hash and id go to the cold store's key table of the record's file (open addressing,
 * memory-mapped, a table per records file and deleted with it); a create looks the key up on the heap, then in the
 * tables, newest first, and trusts a hash hit only when the record's key is the same, so a key is honoured until its
 * workflow's record is deleted by {@code retention.history} and is a new key after that. An advance's or cancel's
 * key stays on the heap (the snapshot's operation keys) for the state's life.
 * <p>
 * <b>Reads.</b> Every read (get, list, events, a verify's consistent point) is a query command through the ring,
 * answered by the processor and consistent with every write before it; no other thread ever touches processor state.
 * A verify builds a state of its own, from the log, on its own thread. Other threads see only the
 * figures the processor publishes in {@link io.axiom.core.EngineCounters}.
 * <p>
 * <b>Slots and large commands.</b> A slot holds {@code EngineContext.slotSize()} bytes (4 KiB by default); a command
 * larger than that (a big input document) travels by reference in the slot. The ring's memory is therefore bounded
 * by ring size x slot size whatever the gateway's body limit.
 * <p>
 * <b>Logging.</b> Through {@code System.Logger} only ({@code axiom.engine}, {@code axiom.snapshot}, {@code
 * axiom.storage}, {@code axiom.recovery}), and never per command: the processor logs when it dies or a read fails,
 * the snapshot writer from its own thread, the background check of the log from its own thread, retention each
 * segment archived, deleted or kept, the close while it waits. Whoever runs the engine decides where lines go.
 * <p>
 * <b>Must never know:</b> HTTP, JSON parsing, Aeron, threads other than its own. It sees commands on its ring and
 * hands replies to an interface of its own; {@link io.axiom.core.EngineClient} is a convenience for blocking
 * callers, not a dependency of the processor.
 */
package io.axiom.core;
