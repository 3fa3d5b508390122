package io.axiom.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM on the test class path, for the crash tests that SIGKILL an engine process: this
 * JVM's java, the flags the build passes to tests ({@code axiom.jvm.flags}), C1 only and a small heap.
 */
final class ChildJvmCommand
{
    private ChildJvmCommand()
    {
    }

    /**
     * @param main the child's main class.
     * @param args its arguments.
     * @return the command to start it.
     */
    static List<String> of(final Class<?> main, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + "/bin/java");
        for (final String flag : System.getProperty("axiom.jvm.flags", "").split(" "))
        {
            if (!flag.isBlank())
            {
                command.add(flag);
            }
        }
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
            main.getName()));
        command.addAll(List.of(args));
        return command;
    }
}
