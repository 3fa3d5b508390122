package io.axiom.gateway.graphql;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A single-subscriber {@link Publisher} whose items are produced by a pump: one virtual thread per stream that waits
 * for work and for demand, and is the only thread that signals the subscriber (so signals never overlap). Producers
 * on other threads (the fan-out) only change state under {@link #lock} and {@link #wake()} the pump; they never
 * block on the subscriber.
 *
 * @param <T> item type.
 */
abstract class PumpedPublisher<T> implements Publisher<T>, Subscription
{
    /** Guards the subclass's inbox and this class's demand and flags. */
    protected final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final String name;
    private Subscriber<? super T> subscriber;
    private long demand;
    private boolean cancelled;
    private RuntimeException failure;
    private boolean terminated;

    /**
     * @param name of the pump thread.
     */
    PumpedPublisher(final String name)
    {
        this.name = name;
    }

    @Override
    public final void subscribe(final Subscriber<? super T> s)
    {
        Objects.requireNonNull(s, "subscriber");
        if (!subscribed.compareAndSet(false, true))
        {
            s.onSubscribe(new Subscription()
            {
                public void request(final long n)
                {
                }

                public void cancel()
                {
                }
            });
            s.onError(new IllegalStateException(name + " takes one subscriber only"));
            return;
        }
        subscriber = s;
        s.onSubscribe(this);
        Thread.ofVirtual().name(name).start(this::run);
    }

    @Override
    public final void request(final long n)
    {
        lock.lock();
        try
        {
            if (n <= 0)
            {
                failure = new IllegalArgumentException("rule 3.9: request(" + n + ") must ask for a positive number");
            }
            else
            {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            }
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public final void cancel()
    {
        lock.lock();
        try
        {
            cancelled = true;
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Stop the stream from any thread: the pump ends with an error signal at its next step.
     *
     * @param error what the subscriber is told.
     */
    final void fail(final RuntimeException error)
    {
        lock.lock();
        try
        {
            if (null == failure)
            {
                failure = error;
            }
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Wake the pump after changing state; call with {@link #lock} held.
     */
    protected final void wake()
    {
        changed.signalAll();
    }

    /**
     * Wait for a change; call with {@link #lock} held.
     *
     * @param nanos longest wait, or a negative number to wait without a bound.
     * @throws InterruptedException if the pump is interrupted.
     */
    protected final void awaitChange(final long nanos) throws InterruptedException
    {
        if (nanos < 0)
        {
            changed.await();
        }
        else if (nanos > 0)
        {
            changed.awaitNanos(nanos);
        }
    }

    /**
     * @return true when the subscriber cancelled or a failure is pending; call with {@link #lock} held.
     */
    protected final boolean stopping()
    {
        return cancelled || null != failure;
    }

    /**
     * Hand one item to the subscriber once it has demand for it. Called by the pump only.
     *
     * @param item the item.
     * @return false when the stream is stopping instead: the pump must return.
     * @throws InterruptedException if the pump is interrupted.
     */
    protected final boolean emit(final T item) throws InterruptedException
    {
        lock.lock();
        try
        {
            while (demand == 0 && !stopping())
            {
                changed.await();
            }
            if (stopping())
            {
                return false;
            }
            demand--;
        }
        finally
        {
            lock.unlock();
        }
        subscriber.onNext(item);
        return true;
    }

    /**
     * Tell the subscriber that there is nothing more. Called by the pump only.
     */
    protected final void complete()
    {
        if (!terminated)
        {
            terminated = true;
            subscriber.onComplete();
        }
    }

    /**
     * Produce items with {@link #emit}, until there are no more ({@link #complete()} and return) or
     * {@link #stopping()}.
     *
     * @throws InterruptedException if the pump is interrupted.
     */
    protected abstract void pump() throws InterruptedException;

    /**
     * Release what the stream holds (its registration with the fan-out); runs once, on the pump, at the end.
     */
    protected abstract void release();

    private void run()
    {
        try
        {
            pump();
        }
        catch (final InterruptedException ex)
        {
            fail(new GraphQlProblem(GraphQlProblem.UNAVAILABLE, "the server is shutting down"));
        }
        catch (final GraphQlProblem ex)
        {
            fail(ex);
        }
        catch (final RuntimeException ex)
        {
            fail(new GraphQlProblem(GraphQlProblem.INTERNAL_SERVER_ERROR, "the stream failed: " + ex));
        }
        finally
        {
            release();
        }
        final RuntimeException error;
        lock.lock();
        try
        {
            error = cancelled ? null : failure;
        }
        finally
        {
            lock.unlock();
        }
        if (!terminated)
        {
            terminated = true;
            if (null != error)
            {
                subscriber.onError(error);
            }
            else if (!cancelled)
            {
                subscriber.onComplete();
            }
        }
    }

    /**
     * @param millis a duration.
     * @return it in nanoseconds.
     */
    protected static long nanos(final long millis)
    {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
