package io.axiom.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What the figures were measured on: cores, CPU, memory, JDK, OS, file system of the data directory.
 */
final class Machine
{
    private Machine()
    {
    }

    static String now()
    {
        return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    }

    static String describe(final Path dataDir)
    {
        final Runtime rt = Runtime.getRuntime();
        return "nproc " + rt.availableProcessors() +
            ", CPU " + cpuModel() +
            ", RAM " + memTotal() +
            ", JDK " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version") +
            ", max heap " + (rt.maxMemory() >> 20) + " MiB, GC " + gcNames() +
            ", " + System.getProperty("os.name") + " " + System.getProperty("os.version") +
            ", data dir on " + fileSystem(dataDir);
    }

    private static String gcNames()
    {
        final StringBuilder sb = new StringBuilder();
        for (final var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans())
        {
            if (sb.length() > 0)
            {
                sb.append('/');
            }
            sb.append(gc.getName());
        }
        return sb.toString();
    }

    private static String cpuModel()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
            {
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // not Linux
        }
        return "unknown";
    }

    private static String memTotal()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/meminfo")))
            {
                if (line.startsWith("MemTotal:"))
                {
                    final long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return (kb >> 20) + " GiB";
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // not Linux
        }
        return "unknown";
    }

    private static String fileSystem(final Path dir)
    {
        try
        {
            final var store = Files.getFileStore(dir);
            String device = store.name();
            final List<String> mounts = Files.readAllLines(Path.of("/proc/mounts"));
            for (final String line : mounts)
            {
                final String[] f = line.split(" ");
                if (f.length > 2 && f[0].equals(device))
                {
                    device = f[0] + " " + f[2];
                    break;
                }
            }
            return device + " (" + store.type() + ")";
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown";
        }
    }
}
