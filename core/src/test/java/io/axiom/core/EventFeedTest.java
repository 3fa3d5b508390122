package io.axiom.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.axiom.core.api.EventView;
import io.axiom.core.api.StepSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventFeedTest
{
    @TempDir
    Path dir;

    @Test
    void readerSeesEveryReleasedEventInLogOrderOnceItsReplyIsOut()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            final EventFeed.Reader reader = f.engine.eventFeed().reader();
            f.create("a", StepSpec.task("ONE"), StepSpec.approval("TWO"));
            f.client().advance(1, null, null, TIMEOUT);
            f.create("b", StepSpec.task("X"));

            final List<EventView> fed = new ArrayList<>();
            final EventFeed.EventHandler handler = (buffer, offset, length, type, version, position, seq, ts) ->
                fed.add(EventDescriber.describe(buffer, offset, length, type, version, position, seq, ts));
            // Replies are released after the feed is written, so everything is already there.
            assertTrue(reader.poll(handler) > 0);
            assertEquals(0, reader.poll(handler));

            final List<EventView> logged = new ArrayList<>(EngineTest.events(f.client().events(1, TIMEOUT)));
            logged.addAll(EngineTest.events(f.client().events(2, TIMEOUT)));
            logged.sort((x, y) -> Long.compare(x.position(), y.position()));
            assertEquals(logged.size(), fed.size());
            for (int i = 0; i < fed.size(); i++)
            {
                assertEquals(logged.get(i).position(), fed.get(i).position());
                assertEquals(logged.get(i).type(), fed.get(i).type());
                assertEquals(logged.get(i).sequence(), fed.get(i).sequence());
            }
            assertEquals(fed.size(), f.engine.counters().eventsReleased());
            assertTrue(f.engine.counters().commandLatencyInterval(null).getTotalCount() >= 5);
        }
    }
}
