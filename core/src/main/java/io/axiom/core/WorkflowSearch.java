package io.axiom.core;

import io.axiom.codecs.ListSort;
import io.axiom.codecs.ListWorkflowsDecoder;
import io.axiom.codecs.NameMatch;
import io.axiom.codecs.SortOrder;
import io.axiom.codecs.StateFilter;
import io.axiom.codecs.WorkflowState;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Answers a list query's filters from the indexes, never by scanning every workflow, and within a work budget, so
 * that no search holds the single processor thread for long: a state from the {@link StateIndex}, a name or a name
 * prefix from the {@link NameIndex}, a current step from the {@link StepIndex}, and a creation range as an id range
 * (creation time never decreases in id order: the processor keeps it so, and a binary search over the table finds
 * the range's ends).
 * <p>
 * <b>Totals without walking.</b> What the indexes count is answered exactly, in at most log(n) or n / 64 steps: the
 * id range alone; a state or a step (a bitmap's rank); a state and a step together (their bitmaps' words ANDed and
 * counted, 64 workflows a word, chunks of 4,096 with no member passed over); an exact name (its list's rank); a
 * prefix over the whole id range (the sum of its names' workflows, kept per subtree of the names' red-black tree:
 * two descents, log(names), however many names it matches).
 * <p>
 * <b>Plan.</b> One driver yields candidates in the query's order, each tested against the filters it does not imply:
 * the bitmaps' words ANDed (the bitmap of every workflow on the heap when neither a state nor a step is given: retired
 * workflows leave holes in the id range, and lists cover the heap only), an exact name's list, or a
 * prefix's names' lists merged through a heap. The driver is chosen by cost: to fill the page when the total is
 * known (candidates read per match being the driver's candidates over the total), else to count every match. For a
 * prefix the choice is between merging its names' lists (a setup of one step per name, then log(names) a workflow:
 * cheap for a prefix of few names) and walking the workflows of the id range, or of the bitmaps, in id order testing
 * the prefix on each (cheap when matches are dense, as a short prefix over many unique names is); a prefix of more
 * names than half the budget is never merged.
 * <p>
 * <b>Budget.</b> A walk reads at most {@code EngineContext.searchBudget} workflows (a merged name counts as one, a
 * bitmap word as one sixteenth). When a total is not known from the indexes it is the walk's count of matches, and
 * when the budget ends the walk first, that count is a lower bound and says so ({@link #totalExact()} false; REST
 * {@code "total_exact": false}). Offset paging is a walk: an offset is passed over by rank without reading workflows
 * where the query is one index (the id range, a state, a step, an exact name, or a state and a step by word counts),
 * and otherwise costs a workflow read per match passed over; a page that finds nothing before the budget ends (an
 * offset too deep for the budget, or a match too sparse) is refused ({@link #TOO_DEEP}) rather than answered empty,
 * so that a client paging on never loops. A page the budget cuts short says where the next one starts, as a page cut
 * to the reply's byte budget does.
 * <p>
 * <b>Why so.</b> The cost-based choice and the tree's sums bound every single filter and a prefix alone, exactly. A
 * prefix with a state, a step or a creation range has no index that counts it: per-name counts per state summed in
 * the tree would cost log(names) on every state change in the Applier and still not cover steps or ranges, so such a
 * total is counted by reading, within the budget, and said to be a lower bound when the budget ends first. Deep
 * offsets keep the offset contract every client already pages with (REST, GraphQL, the CLI, the console) rather than
 * adding an {@code after_id} cursor: they are bounded by the same budget and refused beyond it; a creation range is
 * an id range, passed over by binary search, so a client pages deep through time instead. A query that is one index
 * reads a page's worth (at most {@link Queries#MAX_PAGE}) after a seek by rank, and is not cut by the budget; a state
 * and a step together read n / 64 words (16,000 at a million workflows) to be counted exactly.
 * <p>
 * <b>Cost</b>, measured by {@code WorkflowSearchProbe} (1,000,000 workflows of unique names, page of 50, worst
 * CPU time per query shape over offsets 0 to 900,000 and both orders, warm, on the 2-core machine), before this plan
 * and after: a prefix over every name 565 ms, 0.22 ms; over 62,500 names 21 ms, 0.22 ms; over 3,910 names 0.48 ms,
 * 0.24 ms; a prefix over every name and a state 293 ms, 0.33 ms (total a lower bound); a prefix and a sparse state
 * 19 ms, 0.61 ms (exact); a prefix and a step 367 ms, 0.83 ms (lower bound); a step and a state 22 ms, 0.10 ms; a
 * rare step and a state 0.04 ms, 0.14 ms (every word of the range ANDed, n / 64); a creation range and a state
 * 0.04 ms, 0.02 ms; a creation range and a prefix 22 ms, 0.23 ms (lower bound). The default budget, 16,000
 * workflows, reads in under 1 ms warm and about 2 ms on cold caches (some 120 ns a workflow whose cache lines must
 * be fetched).
 * <p>
 * <b>Order.</b> By id, or by creation time, which is the same order (ties by id), ascending or descending. A log
 * written while the clock stepped back, before creation times were kept non-decreasing, is still answered right:
 * its creation range is then a test on each candidate, and creation order is id order.
 * <p>
 * One instance, reused by the processor for every list query: no allocation but when a merged prefix matches more
 * names than any prefix before.
 */
final class WorkflowSearch
{
    static final String INVALID = "offset must be >= 0, limit between 0 and " + Queries.MAX_PAGE + ", state a " +
        "known state, name match, sort and order known values, a name given when matched, and a name and step of at " +
        "most " + 0xFFFF + " bytes";
    static final String TOO_DEEP_DETAIL = "the search read its budget of workflows without reaching the page: " +
        "narrow it (a longer name prefix, a state, a step, a creation range) or ask for a smaller offset";

    /**
     * {@link #run} answered.
     */
    static final int OK = 0;

    /**
     * {@link #run} found nothing for a page before its budget ended: the offset is too deep, or the matches too
     * sparse, to be answered within it.
     */
    static final int TOO_DEEP = 1;

    private static final int BITS = 0;
    private static final int NAME = 1;
    private static final int MERGE = 2;
    private static final int CANDIDATE = 16;
    private static final int WORDS = Bitmap.WORDS_PER_CHUNK;

    private final EngineState state;
    private final long budget;
    private final UnsafeBuffer nameView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer stepView = new UnsafeBuffer(0, 0);
    private final int[] page = new int[Queries.MAX_PAGE];

    private WorkflowState only;
    private NameMatch nameMatch;
    private NameIndex.Name name;
    private StepIndex.Step step;
    private boolean prefix;
    private boolean empty;
    private boolean createdTest;
    private long createdFrom;
    private long createdUntil;
    private boolean descending;
    private int low;
    private int high;

    private int driver;
    private Bitmap bitA;
    private Bitmap bitB;
    private long knownTotal;
    private boolean testState;
    private boolean testStep;
    private boolean testName;
    private boolean testPrefix;
    private boolean tested;
    private int cursor;
    private long work;
    private long workLimit;
    private boolean stopped;
    private NameIndex.Name[] prefixNames = new NameIndex.Name[16];
    private int prefixCount;
    private int[] heads = new int[16];
    private int[] heapList = new int[16];
    private int[] heapKey = new int[16];
    private int heapSize;

    private long total;
    private boolean exact;
    private int pageCount;

    WorkflowSearch(final EngineState state, final int budget)
    {
        this.state = state;
        this.budget = (long)budget * CANDIDATE;
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
        return true;
    }

    /**
     * Runs a prepared query: counts its matches (or reads them until the budget ends) and keeps the indexes of its
     * page, in the query's order.
     *
     * @param skip  matches to pass over, in the query's order.
     * @param limit most matches to keep, at most {@link Queries#MAX_PAGE}.
     * @return {@link #OK}, or {@link #TOO_DEEP} when the budget ended before a match of the page was found.
     */
    int run(final long skip, final int limit)
    {
        pageCount = 0;
        work = 0;
        stopped = false;
        if (empty)
        {
            total = 0;
            exact = true;
            return OK;
        }
        plan(skip, limit);
        final boolean known = knownTotal >= 0;
        if (known && (skip >= knownTotal || 0 == limit))
        {
            total = knownTotal;
            exact = true;
            return OK;
        }
        final long need = known ? Math.min(skip + limit, knownTotal) : Long.MAX_VALUE;
        // a query that is one index reads a page's worth at most: bounded by the page, not the budget
        workLimit = tested || driver == MERGE ? budget : Long.MAX_VALUE;
        long counted;
        int index;
        if (!tested && driver != MERGE)
        {
            index = seek(skip);
            counted = skip;
        }
        else
        {
            start();
            counted = 0;
            index = nextMatch();
        }
        while (index >= 0)
        {
            if (counted >= skip && pageCount < limit)
            {
                page[pageCount++] = index;
            }
            counted++;
            if (counted >= need)
            {
                break;
            }
            if (work >= workLimit)
            {
                stopped = true;
                break;
            }
            index = nextMatch();
        }
        total = known ? knownTotal : counted;
        exact = known || !stopped;
        return stopped && 0 == pageCount && limit > 0 ? TOO_DEEP : OK;
    }

    /**
     * @return matches of the last {@link #run}: exact when {@link #totalExact()}, else a lower bound.
     */
    long total()
    {
        return total;
    }

    /**
     * @return false when the last {@link #run}'s budget ended before every match was counted.
     */
    boolean totalExact()
    {
        return exact;
    }

    /**
     * @return matches kept for the page by the last {@link #run}.
     */
    int pageCount()
    {
        return pageCount;
    }

    /**
     * @param i a position in the page, below {@link #pageCount()}.
     * @return the index of the workflow there.
     */
    int pageIndex(final int i)
    {
        return page[i];
    }

    /**
     * @return workflows read (sixteenths: a bitmap word is one, a workflow sixteen) by the last {@link #run}.
     */
    long work()
    {
        return work;
    }

    private void plan(final long skip, final int limit)
    {
        prefix = nameMatch == NameMatch.PREFIX;
        bitA = null;
        bitB = null;
        if (null != only)
        {
            bitA = state.states.bitmap(only);
        }
        if (null != step)
        {
            if (null == bitA)
            {
                bitA = step.current;
            }
            else
            {
                bitB = step.current;
            }
        }
        // No state and no step given: the bits of every workflow on the heap (retired ones left holes in the ids).
        final boolean noBits = null == bitA;
        if (noBits)
        {
            bitA = state.states.all();
        }
        final long bitsCount = null == bitB ? inRange(bitA) : andCount();
        final boolean whole = 0 == low && high == state.workflows.size();
        final Utf8Keys<NameIndex.Name> names = state.names.names();
        final int prefixLength = nameView.capacity();
        final long nameCount = null != name ? name.rank(high) - name.rank(low) : 0;
        final long prefixNameCount = prefix ? names.prefixNames(nameView, 0, prefixLength) : 0;
        final long prefixWeight = prefix ? names.prefixWeight(nameView, 0, prefixLength) : 0;

        knownTotal = -1;
        if (!createdTest)
        {
            if (null == name && !prefix)
            {
                knownTotal = bitsCount;
            }
            else if (noBits && null != name)
            {
                knownTotal = nameCount;
            }
            else if (noBits && whole)
            {
                knownTotal = prefixWeight;
            }
        }
        final long need = knownTotal >= 0 ? Math.min(skip + limit, knownTotal) : -1;

        driver = BITS;
        double best = cost(0, bitsCount, need);
        if (null != name)
        {
            final double nameCost = cost(0, nameCount, need);
            if (nameCost <= best)
            {
                driver = NAME;
                best = nameCost;
            }
        }
        if (prefix && prefixNameCount * CANDIDATE <= budget / 2 && cost(prefixNameCount, prefixWeight, need) < best)
        {
            driver = MERGE;
            prefixCount = 0;
            for (NameIndex.Name n = names.firstWithPrefix(nameView, 0, prefixLength); null != n;
                n = names.nextWithPrefix(n, nameView, 0, prefixLength))
            {
                if (prefixCount == prefixNames.length)
                {
                    prefixNames = java.util.Arrays.copyOf(prefixNames, prefixCount * 2);
                }
                prefixNames[prefixCount++] = n;
            }
        }
        testState = null != only && driver != BITS;
        testStep = null != step && driver != BITS;
        testName = null != name && driver != NAME;
        testPrefix = prefix && driver != MERGE;
        tested = testState || testStep || testName || testPrefix || createdTest;
    }

    /**
     * @return workflows read to fill the page (the total known) or to count every match (it is not): a setup, then
     * the driver's candidates, as many per match as it has over the total.
     */
    private double cost(final long setup, final long candidates, final long need)
    {
        if (need < 0)
        {
            return setup + candidates;
        }
        return setup + Math.min(candidates, (double)need * candidates / Math.max(1, knownTotal));
    }

    private long inRange(final Bitmap bitmap)
    {
        return bitmap.rank(high) - bitmap.rank(low);
    }

    /**
     * @return the workflows of both bitmaps in the id range, counted by words.
     */
    private long andCount()
    {
        long count = 0;
        if (low >= high)
        {
            return 0;
        }
        for (int w = low >>> 6, last = (high - 1) >>> 6; w <= last; w++)
        {
            if (bitA.emptyChunkAt(w) || bitB.emptyChunkAt(w))
            {
                w |= WORDS - 1;
                continue;
            }
            work++;
            count += Long.bitCount(bitA.word(w) & bitB.word(w) & rangeMask(w));
        }
        return count;
    }

    /**
     * @return the bits of a word within the id range.
     */
    private long rangeMask(final int w)
    {
        long mask = -1L;
        if (w == low >>> 6)
        {
            mask &= -1L << low;
        }
        if (w == (high - 1) >>> 6)
        {
            mask &= -1L >>> (63 - ((high - 1) & 63));
        }
        return mask;
    }

    private long wordAt(final int w)
    {
        long word = bitA.word(w);
        if (null != bitB)
        {
            word &= bitB.word(w);
        }
        return word & rangeMask(w);
    }

    private boolean emptyChunkAt(final int w)
    {
        return bitA.emptyChunkAt(w) || (null != bitB && bitB.emptyChunkAt(w));
    }

    /**
     * Positions a query that is one index (every candidate of the driver matches) at a rank, passing over the ranks
     * before it without reading workflows.
     *
     * @return the index at that rank, or -1.
     */
    private int seek(final long skip)
    {
        final long rank = descending ? knownTotal - 1 - skip : skip;
        final int index;
        if (driver == NAME)
        {
            cursor = name.rank(low) + (int)rank;
            return name.member(cursor);
        }
        if (null == bitA)
        {
            index = low + (int)rank;
        }
        else if (null == bitB)
        {
            index = bitA.select(bitA.rank(low) + rank);
        }
        else
        {
            index = selectBoth(rank);
        }
        cursor = index;
        return index;
    }

    /**
     * @return the member of both bitmaps with the rank in the id range (ascending), by words' counts.
     */
    private int selectBoth(final long rank)
    {
        long left = rank;
        for (int w = low >>> 6, last = (high - 1) >>> 6; w <= last; w++)
        {
            if (emptyChunkAt(w))
            {
                w |= WORDS - 1;
                continue;
            }
            work++;
            long word = wordAt(w);
            final int inWord = Long.bitCount(word);
            if (left >= inWord)
            {
                left -= inWord;
                continue;
            }
            for (long i = 0; i < left; i++)
            {
                word &= word - 1;
            }
            return (w << 6) + Long.numberOfTrailingZeros(word);
        }
        return -1;
    }

    private void start()
    {
        switch (driver)
        {
            case NAME -> cursor = descending ? name.rank(high) : name.rank(low) - 1;
            case MERGE ->
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
                work += (long)count * CANDIDATE;
                for (int i = (heapSize >>> 1) - 1; i >= 0; i--)
                {
                    siftDown(i);
                }
            }
            default -> cursor = descending ? high : low - 1;
        }
    }

    /**
     * @return the next candidate that passes every test, or -1 at the end or when the budget ends.
     */
    private int nextMatch()
    {
        int index = advance();
        while (index >= 0 && tested && !matches(index))
        {
            if (work >= workLimit)
            {
                stopped = true;
                return -1;
            }
            index = advance();
        }
        return index;
    }

    /**
     * @return the driver's next candidate in the range, in the query's order, or -1.
     */
    private int advance()
    {
        work += CANDIDATE;
        switch (driver)
        {
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
            case MERGE ->
            {
                return advanceMerge();
            }
            default ->
            {
                final int index = descending ? previousBits(cursor - 1) : nextBits(cursor + 1);
                if (index >= 0)
                {
                    cursor = index;
                }
                return index;
            }
        }
    }

    /**
     * @return the first candidate of the bitmaps (or the range) at or after an index, or -1.
     */
    private int nextBits(final int from)
    {
        if (from < low || from >= high)
        {
            return from < low ? nextBits(low) : -1;
        }
        if (null == bitA)
        {
            return from;
        }
        int w = from >>> 6;
        long mask = -1L << from;
        for (final int last = (high - 1) >>> 6; w <= last; w++)
        {
            if (emptyChunkAt(w))
            {
                w |= WORDS - 1;
                mask = -1L;
                work++;
                continue;
            }
            work++;
            final long word = wordAt(w) & mask;
            mask = -1L;
            if (0 != word)
            {
                return (w << 6) + Long.numberOfTrailingZeros(word);
            }
            if (work >= workLimit)
            {
                stopped = true;
                return -1;
            }
        }
        return -1;
    }

    /**
     * @return the last candidate of the bitmaps (or the range) at or before an index, or -1.
     */
    private int previousBits(final int from)
    {
        if (from < low || from >= high)
        {
            return from >= high ? previousBits(high - 1) : -1;
        }
        if (null == bitA)
        {
            return from;
        }
        int w = from >>> 6;
        long mask = -1L >>> (63 - (from & 63));
        for (final int first = low >>> 6; w >= first; w--)
        {
            if (emptyChunkAt(w))
            {
                w &= ~(WORDS - 1);
                mask = -1L;
                work++;
                continue;
            }
            work++;
            final long word = wordAt(w) & mask;
            mask = -1L;
            if (0 != word)
            {
                return (w << 6) + 63 - Long.numberOfLeadingZeros(word);
            }
            if (work >= workLimit)
            {
                stopped = true;
                return -1;
            }
        }
        return -1;
    }

    /**
     * The names of a prefix merged in the query's order: a heap of each name's next member (the smallest on top, or
     * the largest when descending), so each workflow costs log(names) whatever the number of names.
     */
    private int advanceMerge()
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
        if (testStep && !step.current.contains(index))
        {
            return false;
        }
        final Workflow workflow = state.workflows.get(index);
        if (null == workflow)
        {
            return false; // it left the heap
        }
        if (testState && workflow.state != only)
        {
            return false;
        }
        if (testName && workflow.name != name)
        {
            return false;
        }
        if (testPrefix && !Utf8Keys.startsWith(workflow.name.utf8, nameView, 0, nameView.capacity()))
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
            final int mid = state.workflows.nextLive((lo + hi) >>> 1); // holes have no creation time here
            if (mid >= hi)
            {
                hi = (lo + hi) >>> 1;
            }
            else if (state.workflows.get(mid).createdAt < time)
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
