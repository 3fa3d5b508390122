package io.axiom.transport;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the worker endpoint did since it started: frames in and out, and every frame it dropped, by reason. Written by
 * the endpoint's agent and by the engine's thread (sends), read by anyone (metrics, tests, the close summary).
 */
public final class EndpointCounters
{
    final AtomicLong framesReceived = new AtomicLong();
    final AtomicLong framesForwarded = new AtomicLong();
    final AtomicLong inboxFull = new AtomicLong();
    final AtomicLong droppedMalformed = new AtomicLong();
    final AtomicLong droppedWrongSchema = new AtomicLong();
    final AtomicLong droppedUnknownTemplate = new AtomicLong();
    final AtomicLong droppedNewerVersion = new AtomicLong();
    final AtomicLong droppedUnknownWorker = new AtomicLong();
    final AtomicLong droppedBadResponseChannel = new AtomicLong();
    final AtomicLong droppedTooManyConnections = new AtomicLong();
    final AtomicLong malformedAnswered = new AtomicLong();
    final AtomicLong helloRejectedVersion = new AtomicLong();
    final AtomicLong handlerErrors = new AtomicLong();

    final AtomicLong connectionsOpened = new AtomicLong();
    final AtomicLong connectionsClosed = new AtomicLong();
    final AtomicLong goodbyesOnBehalf = new AtomicLong();
    final AtomicLong connectTimeouts = new AtomicLong();
    final AtomicLong silenceTimeouts = new AtomicLong();
    final AtomicLong responseDisconnects = new AtomicLong();
    final AtomicLong imagesLost = new AtomicLong();

    final AtomicLong framesSent = new AtomicLong();
    final AtomicLong framesQueued = new AtomicLong();
    final AtomicLong droppedNotConnected = new AtomicLong();
    final AtomicLong droppedBacklogFull = new AtomicLong();
    final AtomicLong droppedTooLarge = new AtomicLong();
    final AtomicLong droppedClosed = new AtomicLong();
    final AtomicLong droppedByFaults = new AtomicLong();
    final AtomicLong connectionsDropped = new AtomicLong();
    final AtomicLong droppedDraining = new AtomicLong();

    /** @return fragments reassembled into frames and read from workers. */
    public long framesReceived()
    {
        return framesReceived.get();
    }

    /** @return frames handed to the engine's inbox. */
    public long framesForwarded()
    {
        return framesForwarded.get();
    }

    /** @return times the inbox was full and a frame was left in its image to be offered again. */
    public long inboxFull()
    {
        return inboxFull.get();
    }

    /** @return frames dropped because they did not decode: too short, truncated, trailing bytes, bad lengths. */
    public long droppedMalformed()
    {
        return droppedMalformed.get();
    }

    /** @return frames of another schema than the wire schema. */
    public long droppedWrongSchema()
    {
        return droppedWrongSchema.get();
    }

    /** @return frames whose template is not one a worker sends. */
    public long droppedUnknownTemplate()
    {
        return droppedUnknownTemplate.get();
    }

    /** @return frames of a newer schema version than this endpoint speaks (hellos among them are answered). */
    public long droppedNewerVersion()
    {
        return droppedNewerVersion.get();
    }

    /** @return frames of a worker that has not said hello on this connection (or whose connection is gone). */
    public long droppedUnknownWorker()
    {
        return droppedUnknownWorker.get();
    }

    /** @return hellos naming a response channel that cannot be used. */
    public long droppedBadResponseChannel()
    {
        return droppedBadResponseChannel.get();
    }

    /** @return hellos refused because the endpoint holds as many connections as it may. */
    public long droppedTooManyConnections()
    {
        return droppedTooManyConnections.get();
    }

    /** @return dropped frames answered with CompletionRejected(MALFORMED) because their connection was known. */
    public long malformedAnswered()
    {
        return malformedAnswered.get();
    }

    /** @return hellos of a newer schema version answered HelloRejected by the endpoint itself. */
    public long helloRejectedVersion()
    {
        return helloRejectedVersion.get();
    }

    /** @return unexpected exceptions while handling a frame (the frame was dropped, the endpoint went on). */
    public long handlerErrors()
    {
        return handlerErrors.get();
    }

    /** @return worker connections opened (one per hello of a new worker on an image). */
    public long connectionsOpened()
    {
        return connectionsOpened.get();
    }

    /** @return worker connections closed. */
    public long connectionsClosed()
    {
        return connectionsClosed.get();
    }

    /** @return WorkerGoodbye frames the endpoint offered on behalf of a worker that went away. */
    public long goodbyesOnBehalf()
    {
        return goodbyesOnBehalf.get();
    }

    /** @return connections whose response publication never connected in time. */
    public long connectTimeouts()
    {
        return connectTimeouts.get();
    }

    /** @return connections closed because the worker sent nothing for longer than the worker timeout. */
    public long silenceTimeouts()
    {
        return silenceTimeouts.get();
    }

    /** @return connections closed because their response publication lost its subscriber. */
    public long responseDisconnects()
    {
        return responseDisconnects.get();
    }

    /** @return ingress images that became unavailable (a worker's publication went away). */
    public long imagesLost()
    {
        return imagesLost.get();
    }

    /** @return frames sent to workers (directly or from a backlog). */
    public long framesSent()
    {
        return framesSent.get();
    }

    /** @return frames kept in a connection's backlog (back-pressure, or the connection not up yet). */
    public long framesQueued()
    {
        return framesQueued.get();
    }

    /** @return frames dropped because the worker's publication was not connected. */
    public long droppedNotConnected()
    {
        return droppedNotConnected.get();
    }

    /** @return frames dropped because the connection's backlog was full. */
    public long droppedBacklogFull()
    {
        return droppedBacklogFull.get();
    }

    /** @return frames dropped because they exceed the largest message of the publication or the backlog. */
    public long droppedTooLarge()
    {
        return droppedTooLarge.get();
    }

    /** @return frames for a connection already closed. */
    public long droppedClosed()
    {
        return droppedClosed.get();
    }

    /** @return frames dropped by injected faults (chaos), in both directions. */
    public long droppedByFaults()
    {
        return droppedByFaults.get();
    }

    /** @return connections dropped on request ({@link WorkerEndpoint#dropConnections()}, chaos). */
    public long connectionsDropped()
    {
        return connectionsDropped.get();
    }

    /**
     * @return every counter by name, in a stable order.
     */
    public Map<String, Long> snapshot()
    {
        final Map<String, Long> map = new LinkedHashMap<>();
        map.put("frames_received", framesReceived());
        map.put("frames_forwarded", framesForwarded());
        map.put("inbox_full", inboxFull());
        map.put("dropped_malformed", droppedMalformed());
        map.put("dropped_wrong_schema", droppedWrongSchema());
        map.put("dropped_unknown_template", droppedUnknownTemplate());
        map.put("dropped_newer_version", droppedNewerVersion());
        map.put("dropped_unknown_worker", droppedUnknownWorker());
        map.put("dropped_bad_response_channel", droppedBadResponseChannel());
        map.put("dropped_too_many_connections", droppedTooManyConnections());
        map.put("malformed_answered", malformedAnswered());
        map.put("hello_rejected_version", helloRejectedVersion());
        map.put("handler_errors", handlerErrors());
        map.put("connections_opened", connectionsOpened());
        map.put("connections_closed", connectionsClosed());
        map.put("goodbyes_on_behalf", goodbyesOnBehalf());
        map.put("connect_timeouts", connectTimeouts());
        map.put("silence_timeouts", silenceTimeouts());
        map.put("response_disconnects", responseDisconnects());
        map.put("images_lost", imagesLost());
        map.put("frames_sent", framesSent());
        map.put("frames_queued", framesQueued());
        map.put("dropped_not_connected", droppedNotConnected());
        map.put("dropped_backlog_full", droppedBacklogFull());
        map.put("dropped_too_large", droppedTooLarge());
        map.put("dropped_closed", droppedClosed());
        map.put("dropped_by_faults", droppedByFaults());
        map.put("connections_dropped", connectionsDropped());
        map.put("hellos_dropped_draining", droppedDraining.get());
        return map;
    }

    @Override
    public String toString()
    {
        final StringBuilder b = new StringBuilder();
        for (final Map.Entry<String, Long> e : snapshot().entrySet())
        {
            if (e.getValue() != 0)
            {
                b.append(b.isEmpty() ? "" : " ").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        return b.isEmpty() ? "(nothing)" : b.toString();
    }
}
