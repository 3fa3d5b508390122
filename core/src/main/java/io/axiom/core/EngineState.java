package io.axiom.core;

import io.axiom.codecs.WorkflowState;
import org.agrona.collections.LongArrayQueue;
import org.agrona.collections.Object2LongHashMap;

/**
 * Everything the processor knows, in one place: the workflow table, the shared definitions, the idempotency keys,
 * and the indexes derived from them (workflows per state, task queues, timers).
 * <p>
 * <b>One writer.</b> Only the {@link Applier} changes what is here, by applying events, live and in replay alike;
 * deciders and views read. That is what makes "state == replay(log)" hold by construction.
 */
final class EngineState
{
    /** {@link #idBase} of a scratch state that rebuilds one workflow whatever its id. */
    static final long REPLAY_ANY_ID = -1;

    final WorkflowDefinitions definitions = new WorkflowDefinitions();
    final WorkflowTable workflows = new WorkflowTable();
    /**
     * Idempotency-Key of a create -> the workflow it created, for workflows on the heap; a retired workflow's key is
     * in the {@link ColdStore}'s key tables ({@link #createdBy(String)} looks in both).
     */
    final Object2LongHashMap<String> createKeys = new Object2LongHashMap<>(-1);
    /** "workflowId/Idempotency-Key" of an advance or cancel -> position of the event that carried it. */
    final Object2LongHashMap<String> operationKeys = new Object2LongHashMap<>(-1);
    /** {@link #operationKeys}' entries in the order they were put, for snapshots. */
    final KeyLog operationKeyLog = new KeyLog();
    final StateIndex states = new StateIndex();
    final NameIndex names = new NameIndex();
    final StepIndex steps = new StepIndex();
    final TaskQueues taskQueues = new TaskQueues(this::workflow);
    final Timers timers;
    /**
     * The snapshot capture to tell before a workflow changes (the processor's state only; null elsewhere): the
     * {@link Applier} calls {@link SnapshotCapture#beforeWrite(int)} for every workflow it is about to change.
     */
    SnapshotCapture capture;
    /**
     * Where ended workflows go when they leave the heap (the processor's state only; null elsewhere: a verify's or
     * a replay's state just drops them).
     */
    ColdStore cold;
    /**
     * Ids of ended workflows still on the heap, in the order they ended (derived: rebuilt by replay and snapshot
     * load); the processor retires them from the head once retention.in-memory has passed.
     */
    final LongArrayQueue ended = new LongArrayQueue(1024, Long.MIN_VALUE);
    /** True when ended workflows are to leave the heap ({@link #ended} is kept): the processor's state only. */
    boolean retiring;
    /** Workflows that left the heap (WorkflowRetired applied) since this state was built. */
    long retired;
    long idBase;
    long nextWorkflowId = 1;
    long eventsApplied;
    /** Leases in flight (workflows whose current task step a worker holds). */
    long leases;
    /** Last number given to a workflow that became ready or ended ({@link Workflow#orderSeq}). */
    long orderSequence;
    /** The latest creation time of any workflow. */
    long lastCreatedAt = Long.MIN_VALUE;
    /**
     * Workflows created earlier than one before them (a log written while the clock stepped back, before creation
     * times were kept non-decreasing): while 0, creation time never decreases in id order and a creation range is an
     * id range.
     */
    long createdOutOfOrder;

    EngineState(final long startTimeMs)
    {
        this.timers = new Timers(startTimeMs, this::workflow);
    }

    /**
     * Keep a create's Idempotency-Key, on the map and on its workflow (a snapshot stores it with the workflow); the
     * only way one is added.
     *
     * @param key      the key.
     * @param workflow the workflow it created.
     */
    void putCreateKey(final String key, final Workflow workflow)
    {
        createKeys.put(key, workflow.id);
        workflow.createKey = key;
    }

    /**
     * A workflow leaves the heap: its create key leaves the map (the cold store keeps it).
     *
     * @param workflow the workflow.
     */
    void removeCreateKey(final Workflow workflow)
    {
        final String key = workflow.createKey;
        if (null != key && createKeys.getValue(key) == workflow.id)
        {
            createKeys.removeKey(key);
        }
    }

    /**
     * The workflow a create's Idempotency-Key created: on the heap, else in the cold store's key tables (a hit
     * confirmed by the retired workflow's record, so two keys of one hash never merge), until its record is deleted
     * by retention.history.
     *
     * @param key the key.
     * @return its workflow's id, or -1 when the key is unknown (never used, or gone with its workflow's history).
     */
    long createdBy(final String key)
    {
        final long id = createKeys.getValue(key);
        return -1 != id || null == cold ? id : cold.findKey(key);
    }

    /**
     * Keep an advance's or cancel's Idempotency-Key; the only way one is added.
     *
     * @param key      the key, from {@link #operationKey(long, String)}.
     * @param position of the event that carried it.
     */
    void putOperationKey(final String key, final long position)
    {
        operationKeys.put(key, position);
        operationKeyLog.add(key, position);
    }

    /**
     * @param workflowId an id.
     * @return the workflow, or null when there is none with that id.
     */
    Workflow workflow(final long workflowId)
    {
        final long index = workflowId - 1 - idBase;
        return index >= 0 && index < workflows.size() ? workflows.get((int)index) : null;
    }

    /**
     * A workflow by id, on the heap or, when it left, decoded from the cold store into a new object that is not in
     * the table (terminal; reads and commands treat it as an ended workflow; nothing may change it).
     *
     * @param workflowId an id.
     * @return the workflow, or null when there is none with that id, or when it left the heap so long ago that
     * history dropped it ({@link #goneFromHistory(long)} tells which).
     */
    Workflow workflowOrRetired(final long workflowId)
    {
        final Workflow workflow = workflow(workflowId);
        if (null != workflow || null == cold || workflowId < 1 || workflowId >= nextWorkflowId)
        {
            return workflow;
        }
        if (cold.read(workflowId) != ColdStore.FOUND)
        {
            return null;
        }
        return SnapshotCodec.readWorkflow(cold.record(), 0, workflowId, definitions);
    }

    /**
     * @param workflowId an id {@link #workflowOrRetired(long)} found nothing for.
     * @return true when the workflow existed and left the heap more than retention.history ago.
     */
    boolean goneFromHistory(final long workflowId)
    {
        return null != cold && workflowId >= 1 && workflowId < nextWorkflowId && null == workflow(workflowId) &&
            cold.read(workflowId) == ColdStore.GONE;
    }

    /**
     * @param workflow a workflow of this state.
     * @return its index in the table (id order).
     */
    int indexOf(final Workflow workflow)
    {
        return (int)(workflow.id - 1 - idBase);
    }

    /**
     * Keeps the creation-order figures for one more workflow, in id order.
     *
     * @param createdAt its creation time.
     */
    void created(final long createdAt)
    {
        if (createdAt < lastCreatedAt)
        {
            createdOutOfOrder++;
        }
        else
        {
            lastCreatedAt = createdAt;
        }
    }

    /**
     * @return workflows ever created (the ids given), on the heap or not.
     */
    long workflowCount()
    {
        return workflows.size();
    }

    /**
     * @return workflows on the heap.
     */
    long workflowsOnHeap()
    {
        return workflows.live();
    }

    long stateCount(final WorkflowState state)
    {
        return states.count(state);
    }

    /**
     * @param workflowId     the workflow an advance or cancel names.
     * @param idempotencyKey the request's key.
     * @return the key of {@link #operationKeys}.
     */
    static String operationKey(final long workflowId, final String idempotencyKey)
    {
        return workflowId + "/" + idempotencyKey;
    }

    /**
     * A digest of the whole state, equal for equal states: what recovery must reproduce.
     *
     * @return 64-bit digest.
     */
    long digest()
    {
        long h = 1125899906842597L;
        for (int i = 0, size = workflows.size(); i < size; i++)
        {
            final Workflow w = workflows.get(i);
            if (null == w)
            {
                h = 31 * h - 1; // a hole: the workflow left the heap
                continue;
            }
            h = 31 * h + w.id;
            h = 31 * h + w.definition.hash;
            h = 31 * h + w.createdPosition;
            h = 31 * h + w.createdAt;
            h = 31 * h + w.state.value();
            h = 31 * h + w.currentStep;
            h = 31 * h + w.attempt;
            h = 31 * h + w.updatedAt;
            h = 31 * h + w.wakeAt;
            h = 31 * h + w.terminalPosition;
            h = 31 * h + w.flags;
            if (null != w.lease)
            {
                h = 31 * h + w.lease.token;
                h = 31 * h + w.lease.workerId;
                h = 31 * h + w.lease.attemptDeadline;
            }
            for (int s = 0, steps = w.definition.stepCount(); s < steps; s++)
            {
                h = 31 * h + w.completedPosition(s);
            }
            for (int e = 0, events = w.eventCount(); e < events; e++)
            {
                h = 31 * h + w.eventPosition(e);
            }
        }
        h = 31 * h + keysDigest(createKeys);
        h = 31 * h + keysDigest(operationKeys);
        for (final WorkflowState state : WorkflowState.values())
        {
            if (state != WorkflowState.NULL_VAL)
            {
                h = 31 * h + states.count(state);
            }
        }
        return h;
    }

    private static long keysDigest(final Object2LongHashMap<String> keys)
    {
        long digest = keys.size();
        final Object2LongHashMap<String>.EntryIterator entries = keys.entrySet().iterator();
        while (entries.hasNext())
        {
            entries.next();
            digest += 31L * entries.getKey().hashCode() + entries.getLongValue();
        }
        return digest;
    }
}
