package io.axiom.core;

import io.axiom.codecs.ListSort;
import io.axiom.codecs.ListWorkflowsDecoder;
import io.axiom.codecs.NameMatch;
import io.axiom.codecs.SortOrder;
import io.axiom.codecs.StateFilter;
import io.axiom.codecs.WorkflowState;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Answers a list query's filters from the indexes, never by scanning every workflow: a state from the
 * {@link StateIndex}, a name or a name prefix from the {@link NameIndex}, a current step from the {@link StepIndex},
 * and a creation range as an id range (creation time never decreases in id order: the processor keeps it so, and a
 * binary search over the table finds the range's ends).
 * <p>
 * <b>Plan.</b> Of the filters given, the one with the fewest workflows in the id range drives: its members are walked
 * in id order (or its reverse) and each is tested against the other filters, which reads only the workflows of the
 * smallest index. When one filter alone is given, a page starts by rank (no walk over the workflows it skips) and
 * the total is the index's count; with several, the total counts the driver's matching members. A prefix drives by
 * merging its names' lists through a heap (log(names) a workflow).
 * <p>
 * <b>Order.</b> By id, or by creation time, which is the same order (ties by id), ascending or descending. A log
 * written while the clock stepped back, before creation times were kept non-decreasing, is still answered right:
 * its creation range is then a test on each workflow of the driver, and creation order is id order.
 * <p>
 * <b>Cost.</b> Reads only workflows of the driving index: a page costs its length (plus the offset when several
 * filters are given, or a prefix drives), the total its index's count in the range (several filters: the driver's
 * members in the range). A prefix adds a step through the names' order and a binary search per matching name: cheap
 * for a prefix of a few names, but a short prefix over many unique names holds the processor for each of them
 * (measured on the 2-core machine with 900,000 workflows: a prefix of 55,555 names about 8 ms, of 450,000 names about
 * 100 ms; an exact name, a state or a step alone stays under 0.02 ms). One instance, reused by the processor for
 * every list query: no allocation but when a prefix matches more names than any prefix before.
 */
final class WorkflowSearch
{
    static final String INVALID = "offset must be >= 0, limit between 0 and " + Queries.MAX_PAGE + ", state a " +
        "known state, name match, sort and order known values, a name given when matched, and a name and step of at " +
        "most " + 0xFFFF + " bytes";

    private static final int ALL = 0;
    private static final int STATE = 1;
    private static final int STEP = 2;
    private static final int NAME = 3;
    private static final int PREFIX = 4;

    private final EngineState state;
    private final UnsafeBuffer nameView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer stepView = new UnsafeBuffer(0, 0);

    private WorkflowState only;
    private NameMatch nameMatch;
    private NameIndex.Name name;
    private StepIndex.Step step;
    private boolean empty;
    private boolean createdTest;
    private long createdFrom;
    private long createdUntil;
    private boolean descending;
    private int low;
    private int high;

    private int driver;
    private long driverCount;
    private boolean filtered;
    private int cursor;
    private NameIndex.Name[] prefixNames = new NameIndex.Name[16];
    private int prefixCount;
    private int[] heads = new int[16];
    private int[] heapList = new int[16];
    private int[] heapKey = new int[16];
    private int heapSize;

    WorkflowSearch(final EngineState state)
    {
        this.state = state;
    }

    /**
     * Reads the query's filters and plans it. The name and step are read where they lie in the command.
     *
     * @param d       the query, wrapped.
     * @param version the query's schema version.
     * @return false when a filter is malformed ({@link #INVALID} says what is allowed).
     */
    boolean prepare(final ListWorkflowsDecoder d, final int version)
    {
        final StateFilter filter = d.state();
        if (StateFilter.NULL_VAL == filter)
        {
            return false;
        }
        only = filter == StateFilter.ANY ? null : WorkflowState.get(filter.value());
        nameMatch = NameMatch.ANY;
        createdFrom = Long.MIN_VALUE;
        createdUntil = Long.MAX_VALUE;
        descending = false;
        name = null;
        step = null;
        empty = false;
        boolean stepGiven = false;
        if (version >= 3)
        {
            nameMatch = d.nameMatch();
            final ListSort sort = d.sort();
            final SortOrder order = d.order();
            if (NameMatch.NULL_VAL == nameMatch || ListSort.NULL_VAL == sort || SortOrder.NULL_VAL == order)
            {
                return false;
            }
            createdFrom = d.createdFrom();
            createdUntil = d.createdUntil();
            descending = order == SortOrder.DESC;
            d.wrapName(nameView);
            d.wrapStep(stepView);
            if (nameMatch != NameMatch.ANY && 0 == nameView.capacity())
            {
                return false;
            }
            stepGiven = stepView.capacity() > 0;
        }

        if (nameMatch == NameMatch.EXACT)
        {
            name = state.names.names().find(nameView, 0, nameView.capacity());
            empty |= null == name;
        }
        if (stepGiven)
        {
            step = state.steps.steps().find(stepView, 0, stepView.capacity());
            empty |= null == step;
        }
        createdTest = false;
        low = 0;
        high = state.workflows.size();
        if (createdFrom > Long.MIN_VALUE || createdUntil < Long.MAX_VALUE)
        {
            if (0 == state.createdOutOfOrder)
            {
                low = firstCreatedAtOrAfter(createdFrom);
                high = Math.max(low, firstCreatedAtOrAfter(createdUntil));
            }
            else
            {
                createdTest = true;
            }
            empty |= createdFrom >= createdUntil;
        }
        plan();
        return true;
    }

    /**
     * @return workflows matching every filter.
     */
    long total()
    {
        if (empty)
        {
            return 0;
        }
        if (!filtered)
        {
            return driverCount;
        }
        long total = 0;
        start();
        while (nextMatch() >= 0)
        {
            total++;
        }
        return total;
    }

    /**
     * @param skip matches to pass over, in the query's order.
     * @return index of the first workflow of the page, or -1 when there is none; {@link #next()} goes on from it.
     */
    int first(final long skip)
    {
        if (empty || skip >= driverCount)
        {
            return -1;
        }
        if (!filtered && driver != PREFIX)
        {
            return seek(skip);
        }
        start();
        for (long i = 0; i < skip; i++)
        {
            if (nextMatch() < 0)
            {
                return -1;
            }
        }
        return nextMatch();
    }

    /**
     * @return index of the next matching workflow in the query's order, or -1.
     */
    int next()
    {
        return nextMatch();
    }

    private void plan()
    {
        driver = ALL;
        driverCount = high - low;
        if (empty)
        {
            filtered = false;
            return;
        }
        if (null != only)
        {
            consider(STATE, inRange(state.states.bitmap(only)));
        }
        if (null != step)
        {
            consider(STEP, inRange(step.current));
        }
        if (null != name)
        {
            consider(NAME, name.rank(high) - name.rank(low));
        }
        if (nameMatch == NameMatch.PREFIX)
        {
            final Utf8Keys<NameIndex.Name> names = state.names.names();
            final int prefixLength = nameView.capacity();
            final boolean whole = 0 == low && high == state.workflows.size();
            prefixCount = 0;
            long count = 0;
            for (NameIndex.Name n = names.firstWithPrefix(nameView, 0, prefixLength); null != n;
                n = names.nextWithPrefix(n, nameView, 0, prefixLength))
            {
                if (prefixCount == prefixNames.length)
                {
                    prefixNames = java.util.Arrays.copyOf(prefixNames, prefixCount * 2);
                }
                prefixNames[prefixCount++] = n;
                count += whole ? n.count() : n.rank(high) - n.rank(low);
            }
            consider(PREFIX, count);
        }
        final int filters = (null != only ? 1 : 0) + (null != step ? 1 : 0) + (null != name ? 1 : 0) +
            (nameMatch == NameMatch.PREFIX ? 1 : 0);
        filtered = createdTest || filters > (driver == ALL ? 0 : 1);
    }

    private void consider(final int candidate, final long count)
    {
        if (driver == ALL || count < driverCount)
        {
            driver = candidate;
            driverCount = count;
        }
    }

    private long inRange(final Bitmap bitmap)
    {
        return bitmap.rank(high) - bitmap.rank(low);
    }

    private Bitmap driverBitmap()
    {
        return driver == STATE ? state.states.bitmap(only) : step.current;
    }

    /**
     * Positions a single-filter query at a rank without walking.
     */
    private int seek(final long skip)
    {
        final long rank = descending ? driverCount - 1 - skip : skip;
        final int index;
        switch (driver)
        {
            case STATE, STEP ->
            {
                final Bitmap bitmap = driverBitmap();
                index = bitmap.select(bitmap.rank(low) + rank);
            }
            case NAME -> index = name.member(name.rank(low) + (int)rank);
            default -> index = low + (int)rank;
        }
        cursor = driver == NAME ? name.rank(low) + (int)rank : index;
        return index;
    }

    private void start()
    {
        switch (driver)
        {
            case NAME -> cursor = descending ? name.rank(high) : name.rank(low) - 1;
            case PREFIX ->
            {
                final int count = prefixCount;
                if (heads.length < count)
                {
                    final int length = Math.max(count, heads.length * 2);
                    heads = new int[length];
                    heapList = new int[length];
                    heapKey = new int[length];
                }
                heapSize = 0;
                for (int i = 0; i < count; i++)
                {
                    final NameIndex.Name n = prefixNames[i];
                    heads[i] = descending ? n.rank(high) - 1 : n.rank(low);
                    final int member = member(n, heads[i]);
                    if (member >= 0)
                    {
                        heapList[heapSize] = i;
                        heapKey[heapSize] = member;
                        heapSize++;
                    }
                }
                for (int i = (heapSize >>> 1) - 1; i >= 0; i--)
                {
                    siftDown(i);
                }
            }
            default -> cursor = descending ? high : low - 1;
        }
    }

    private int nextMatch()
    {
        int index = advance();
        while (index >= 0 && filtered && !matches(index))
        {
            index = advance();
        }
        return index;
    }

    /**
     * @return the driver's next member in the range, in the query's order, or -1.
     */
    private int advance()
    {
        switch (driver)
        {
            case STATE, STEP ->
            {
                final Bitmap bitmap = driverBitmap();
                final int index = descending ? bitmap.previous(cursor - 1) : bitmap.next(cursor + 1);
                if (index < 0 || index < low || index >= high)
                {
                    return -1;
                }
                cursor = index;
                return index;
            }
            case NAME ->
            {
                cursor += descending ? -1 : 1;
                if (cursor < 0 || cursor >= name.count())
                {
                    return -1;
                }
                final int index = name.member(cursor);
                return index >= low && index < high ? index : -1;
            }
            case PREFIX ->
            {
                return advancePrefix();
            }
            default ->
            {
                cursor += descending ? -1 : 1;
                return cursor >= low && cursor < high ? cursor : -1;
            }
        }
    }

    /**
     * The names of a prefix merged in the query's order: a heap of each name's next member (the smallest on top, or
     * the largest when descending), so each workflow costs log(names) whatever the number of names.
     */
    private int advancePrefix()
    {
        if (0 == heapSize)
        {
            return -1;
        }
        final int list = heapList[0];
        final int index = heapKey[0];
        heads[list] += descending ? -1 : 1;
        final int member = member(prefixNames[list], heads[list]);
        if (member >= 0)
        {
            heapKey[0] = member;
        }
        else
        {
            heapSize--;
            heapList[0] = heapList[heapSize];
            heapKey[0] = heapKey[heapSize];
        }
        siftDown(0);
        return index;
    }

    /**
     * @return the name's member at a rank when it is in the id range, else -1.
     */
    private int member(final NameIndex.Name name, final int rank)
    {
        if (rank < 0 || rank >= name.count())
        {
            return -1;
        }
        final int member = name.member(rank);
        return member >= low && member < high ? member : -1;
    }

    private void siftDown(final int from)
    {
        int i = from;
        while (true)
        {
            final int left = 2 * i + 1;
            if (left >= heapSize)
            {
                return;
            }
            int first = left;
            if (left + 1 < heapSize && before(heapKey[left + 1], heapKey[left]))
            {
                first = left + 1;
            }
            if (!before(heapKey[first], heapKey[i]))
            {
                return;
            }
            final int list = heapList[i];
            final int key = heapKey[i];
            heapList[i] = heapList[first];
            heapKey[i] = heapKey[first];
            heapList[first] = list;
            heapKey[first] = key;
            i = first;
        }
    }

    private boolean before(final int a, final int b)
    {
        return descending ? a > b : a < b;
    }

    private boolean matches(final int index)
    {
        final Workflow workflow = state.workflows.get(index);
        if (null != only && workflow.state != only)
        {
            return false;
        }
        if (null != step && driver != STEP && !step.current.contains(index))
        {
            return false;
        }
        if (null != name && workflow.name != name)
        {
            return false;
        }
        if (nameMatch == NameMatch.PREFIX && driver != PREFIX &&
            !Utf8Keys.startsWith(workflow.name.utf8, nameView, 0, nameView.capacity()))
        {
            return false;
        }
        return !createdTest || (workflow.createdAt >= createdFrom && workflow.createdAt < createdUntil);
    }

    /**
     * @return the first index whose workflow was created at or after the time (creation time never decreases in id
     * order).
     */
    private int firstCreatedAtOrAfter(final long time)
    {
        int lo = 0;
        int hi = state.workflows.size();
        while (lo < hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (state.workflows.get(mid).createdAt < time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
