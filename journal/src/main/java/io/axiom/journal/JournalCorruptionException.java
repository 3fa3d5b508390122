package io.axiom.journal;

import java.nio.file.Path;

/**
 * The log holds damaged data that may have been acknowledged: a bad record (checksum, length or sequence) followed by
 * valid ones, a bad segment header or a missing segment. Opening refuses, naming the file, the offset, what was
 * expected and found, and the way out (restore from backup, or repair to truncate).
 */
public final class JournalCorruptionException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long fileOffset;
    private final long position;

    /**
     * @param message    full description for the operator.
     * @param file       segment file holding the fault.
     * @param fileOffset offset of the fault in file.
     * @param position   log position of the fault.
     */
    public JournalCorruptionException(final String message, final Path file, final long fileOffset, final long position)
    {
        super(message);
        this.file = file;
        this.fileOffset = fileOffset;
        this.position = position;
    }

    /**
     * @return segment file holding the fault.
     */
    public Path file()
    {
        return file;
    }

    /**
     * @return offset of the fault within {@link #file()}.
     */
    public long fileOffset()
    {
        return fileOffset;
    }

    /**
     * @return log position of the fault, where repair would truncate.
     */
    public long position()
    {
        return position;
    }
}
