package io.axiom.gateway.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.axiom.core.EventDescriber;
import io.axiom.core.api.EventView;
import io.axiom.gateway.config.AxiomConfig;
import io.axiom.gateway.http.JsonViews;
import io.axiom.journal.JournalInspector;
import io.axiom.journal.SegmentArchive;
import io.axiom.journal.SegmentInfo;
import io.axiom.journal.VerifyReport;

/**
 * {@code axiom wal verify} and {@code axiom wal dump}: read-only tools over a journal directory. They take no lock and
 * work on a live directory too, where the tail may be a unit still being written.
 */
@Command(
    name = "wal",
    mixinStandardHelpOptions = true,
    description = "Inspect the write-ahead log offline: verify checksums, dump records.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {WalCommand.Verify.class, WalCommand.Dump.class})
public final class WalCommand implements Runnable
{
    @Spec
    private CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: give verify or dump");
    }

    /**
     * Options both tools share: where the journal is.
     */
    abstract static class DataDirOptions implements EnvironmentAware
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--data-dir", paramLabel = "DIR",
            description = "journal directory; default: wal.data-dir from the configuration (./data)")
        Path dataDir;

        @Option(names = "--config", paramLabel = "FILE",
            description = "configuration file to read wal.data-dir from")
        Path configFile;

        @Option(names = "--archive-dir", paramLabel = "DIR",
            description = "where retention archived segments; default: retention.archive-dir from the " +
                "configuration (archive/ inside the data directory)")
        Path archiveDir;

        Map<String, String> env = System.getenv();

        /** The archive directory journalDir() resolved. */
        Path archive;

        @Override
        public void environment(final Map<String, String> env)
        {
            this.env = env;
        }

        /**
         * @return the journal directory, checked to exist, or null after printing why not.
         */
        Path journalDir()
        {
            final Map<String, String> flags = new LinkedHashMap<>();
            if (null != dataDir)
            {
                flags.put("--data-dir", dataDir.toString());
            }
            final AxiomConfig config = ConfigResolver.resolve(configFile, env, flags);
            final Path dir = config.dataDir();
            archive = null != archiveDir ? archiveDir : config.archiveDir();
            if (!Files.isDirectory(dir))
            {
                spec.commandLine().getErr().println("axiom: no journal directory at " + dir.toAbsolutePath());
                return null;
            }
            return dir;
        }
    }

    /**
     * {@code axiom wal verify}.
     */
    @Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = "Check every record's checksum, sequence and unit, and every snapshot against the log; exit 0 " +
            "when clean, 1 on corruption, a missing file, a snapshot that does not fit the log, or no journal at " +
            "all, 3 when the only finding is a torn tail (a partial write or incomplete unit start-up truncates).")
    public static final class Verify extends DataDirOptions implements Callable<Integer>
    {
        /** Exit code when the only finding is a torn tail: not corruption, but not OK either. */
        public static final int EXIT_TORN_TAIL = 3;

        @Override
        public Integer call()
        {
            final Path dir = journalDir();
            if (null == dir)
            {
                return ExitStatus.EXIT_FAILED;
            }
            final PrintWriter out = spec.commandLine().getOut();
            final VerifyReport report = JournalInspector.verify(dir, archive);
            if (report.segments().isEmpty() && report.recordCount() == 0 && report.corrupt() &&
                report.faults().get(0).startsWith("no journal"))
            {
                spec.commandLine().getErr().println("axiom: " + report.faults().get(0));
                return ExitStatus.EXIT_FAILED;
            }
            out.println("journal: " + dir.toAbsolutePath());
            if (!report.archives().isEmpty())
            {
                out.println("archived: " + report.archives().size() + " in " + archive.toAbsolutePath());
                for (final SegmentArchive.Summary a : report.archives())
                {
                    out.println("  " + (null == a.file() ? "?" : a.file().getFileName()) + " index=" + a.index() +
                        " base=" + a.basePosition() + (a.deleted() ? " DELETED by policy" : " blocks=" +
                        a.blockCount() + " bytes=" + a.fileLength()) + " records=" + a.recordCount() +
                        " sequences=" + a.firstSequence() + ".." + a.lastSequence() + " generation=" +
                        a.generation());
                }
            }
            out.println("segments: " + report.segments().size());
            for (final SegmentInfo s : report.segments())
            {
                out.println("  " + s.file().getFileName() + " index=" + s.index() + " base=" + s.basePosition() +
                    " records=" + s.records() + " used=" + s.usedBytes() + "/" + s.capacity() + " generation=" +
                    s.generation());
            }
            out.println("records: " + report.recordCount());
            if (!report.archives().isEmpty())
            {
                out.println("archived records: " +
                    report.archives().stream().mapToLong(SegmentArchive.Summary::recordCount).sum());
            }
            out.println("last position: " + report.lastPosition());
            out.println("last sequence: " + report.lastSequence());
            out.println("torn tail: " + (report.tornTail() ? "yes, start-up will truncate " +
                report.tornTailBytes() + " bytes at position " + report.tornTailPosition() +
                (report.tornTailRecords() > 0 ? " (" + report.tornTailRecords() + " record(s) of an incomplete unit)" :
                "") + "; no acknowledged record is in it" : "no"));
            for (final String note : report.notes())
            {
                out.println("note: " + note);
            }
            if (report.faults().isEmpty())
            {
                out.println("faults: none");
            }
            else
            {
                out.println("faults: " + report.faults().size());
                for (final String fault : report.faults())
                {
                    out.println("  " + fault);
                }
            }
            out.println(report.corrupt() ? "CORRUPT" : report.tornTail() ? "TORN TAIL" : "OK");
            out.flush();
            return report.corrupt() ? ExitStatus.EXIT_FAILED :
                report.tornTail() ? EXIT_TORN_TAIL : ExitStatus.EXIT_OK;
        }
    }

    /**
     * {@code axiom wal dump}.
     */
    @Command(
        name = "dump",
        mixinStandardHelpOptions = true,
        description = {"Print records from a position on, one line each: position, sequence, time, event, fields.",
            "--json: one JSON object per line instead, as in GET /api/v1/workflows/{id}/events."})
    public static final class Dump extends DataDirOptions implements Callable<Integer>
    {
        @Option(names = "--json",
            description = "one JSON object per record: position, sequence, timestamp, type, workflow_id, fields")
        boolean json;

        @Option(names = "--from", paramLabel = "POS", defaultValue = "0",
            description = "first journal position to print (default: the start)")
        long from;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "" + Long.MAX_VALUE,
            description = "most records to print (default: all)")
        long limit;

        @Override
        public Integer call()
        {
            if (from < 0 || limit < 0)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--from and --limit must not be negative");
            }
            final Path dir = journalDir();
            if (null == dir)
            {
                return ExitStatus.EXIT_FAILED;
            }
            final PrintWriter out = spec.commandLine().getOut();
            final long[] count = {0};
            final Long2ObjectHashMap<String[]> stepNames = new Long2ObjectHashMap<>();
            final boolean asJson = json || globalJson();
            JournalInspector.dump(dir, archive, from, limit,
                (buffer, offset, length, type, version, position, sequence, timestamp) ->
                {
                    EventView event = null;
                    String error = null;
                    try
                    {
                        event = describe(buffer, offset, length, type, version, position, sequence, timestamp,
                            stepNames);
                    }
                    catch (final RuntimeException ex)
                    {
                        error = String.valueOf(ex.getMessage());
                    }
                    out.println(asJson ?
                        json(event, error, length, type, version, position, sequence, timestamp) :
                        line(event, error, length, type, version, position, sequence, timestamp));
                    count[0]++;
                });
            out.flush();
            for (final String segment : JournalInspector.describeSegments(dir, archive))
            {
                spec.commandLine().getErr().println(segment);
            }
            spec.commandLine().getErr().println(count[0] + " records");
            return ExitStatus.EXIT_OK;
        }

        private boolean globalJson()
        {
            final CommandLine.Model.OptionSpec before = spec.root().findOption("--json");
            return null != before && spec.root() != spec && Boolean.TRUE.equals(before.getValue());
        }

        /**
         * @param stepNames step names per workflow id, learnt from WorkflowCreated events as the dump goes.
         * @return the record's event, with step names when its workflow's creation was seen.
         * @throws RuntimeException when the record cannot be decoded.
         */
        static EventView describe(
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final int type,
            final int version,
            final long position,
            final long sequence,
            final long timestamp,
            final Long2ObjectHashMap<String[]> stepNames)
        {
            final EventView event =
                EventDescriber.describe(buffer, offset, length, type, version, position, sequence, timestamp);
            final String[] created = EventDescriber.stepNames(event);
            if (null != created)
            {
                stepNames.put(event.workflowId(), created);
            }
            else if (stepNames.containsKey(event.workflowId()))
            {
                return EventDescriber.describe(buffer, offset, length, type, version, position, sequence,
                    timestamp, stepNames.get(event.workflowId()));
            }
            return event;
        }

        /**
         * @param event the record's event, or null when it cannot be decoded.
         * @param error why it cannot be decoded, or null.
         * @return {@code pos=P seq=S TIME TYPE workflow_id=W field=value ...}.
         */
        static String line(
            final EventView event,
            final String error,
            final int length,
            final int type,
            final int version,
            final long position,
            final long sequence,
            final long timestamp)
        {
            final StringBuilder line = new StringBuilder(128)
                .append("pos=").append(position)
                .append(" seq=").append(sequence)
                .append(' ').append(JsonViews.isoTime(timestamp));
            if (null == event)
            {
                line.append(" type=").append(type).append(" version=").append(version).append(" length=")
                    .append(length).append(" (cannot decode: ").append(error).append(')');
                return line.toString();
            }
            line.append(' ').append(event.type());
            line.append(" workflow_id=").append(event.workflowId());
            for (final Map.Entry<String, Object> field : event.fields().entrySet())
            {
                if ("workflow_id".equals(field.getKey()))
                {
                    continue;
                }
                line.append(' ').append(field.getKey()).append('=').append(JsonViews.text(field.getValue()));
            }
            return line.toString();
        }

        /**
         * @param event the record's event, or null when it cannot be decoded.
         * @param error why it cannot be decoded, or null.
         * @return one JSON object on one line: the event as the REST API renders it, or for a record that cannot be
         * decoded {@code {"position","sequence","timestamp","type":null,"type_id","version","length","error"}}.
         */
        static String json(
            final EventView event,
            final String error,
            final int length,
            final int type,
            final int version,
            final long position,
            final long sequence,
            final long timestamp)
        {
            if (null != event)
            {
                return new String(JsonViews.event(event), StandardCharsets.UTF_8);
            }
            final Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("position", position);
            fields.put("sequence", sequence);
            fields.put("timestamp", JsonViews.isoTime(timestamp));
            fields.put("type", null);
            fields.put("type_id", type);
            fields.put("version", version);
            fields.put("length", length);
            fields.put("error", "cannot decode: " + error);
            return new String(JsonViews.object(fields), StandardCharsets.UTF_8);
        }
    }
}
