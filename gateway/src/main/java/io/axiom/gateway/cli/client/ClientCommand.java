package io.axiom.gateway.cli.client;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import io.axiom.gateway.cli.ExitStatus;
import io.axiom.gateway.cli.EnvironmentAware;

/**
 * Base of every command that talks to a running server: it resolves {@link ClientOptions} (given after the command,
 * else before it), opens an {@link AxiomClient}, runs {@link #execute}, and turns failures into a message on stderr
 * and an exit code:
 * <ul>
 * <li>the server refused ({@link ApiException}): {@code axiom: CODE: detail}, exit 1;</li>
 * <li>no answer ({@link UnreachableException}): the reason, naming the URL, exit 1;</li>
 * <li>bad usage (picocli's own checks, a bad {@code --server}, malformed JSON in an option): exit 2.</li>
 * </ul>
 */
public abstract class ClientCommand implements Callable<Integer>, EnvironmentAware
{
    private static final ObjectWriter PRETTY = AxiomClient.MAPPER.writer(new DefaultPrettyPrinter(
        Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEmptySeparator("")
            .withArrayEmptySeparator(""))
        .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"))
        .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n")));

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(final Map<String, String> env)
    {
        this.env = env;
    }

    @Override
    public final Integer call()
    {
        final CommandSpec global = spec.root().mixins().get(ClientOptions.GLOBAL);
        if (null != global && global.userObject() instanceof ClientOptions before && before != options)
        {
            options.inherit(before);
        }
        final PrintWriter err = spec.commandLine().getErr();
        final Integer withoutServer = withoutServer(spec.commandLine().getOut(), err);
        if (null != withoutServer)
        {
            spec.commandLine().getOut().flush();
            err.flush();
            return withoutServer;
        }
        try (AxiomClient client = new AxiomClient(options.serverUri(env, spec.commandLine()), options.token(env)))
        {
            return execute(client, spec.commandLine().getOut());
        }
        catch (final ApiException ex)
        {
            err.println("axiom: " + ex.code() + ": " + ex.detail());
            hint(err, ex);
            return ExitStatus.EXIT_FAILED;
        }
        catch (final UnreachableException ex)
        {
            err.println("axiom: " + ex.getMessage());
            return ExitStatus.EXIT_FAILED;
        }
        finally
        {
            spec.commandLine().getOut().flush();
            err.flush();
        }
    }

    /**
     * Run the command without a server when its own options ask for that ({@code verify --data-dir}), before any
     * server option is looked at.
     *
     * @param out standard output.
     * @param err standard error.
     * @return the exit code, or null to talk to the server (the default).
     */
    protected Integer withoutServer(final PrintWriter out, final PrintWriter err)
    {
        return null;
    }

    /**
     * Run the command.
     *
     * @param client connected to the chosen server.
     * @param out    standard output.
     * @return the exit code.
     */
    protected abstract int execute(AxiomClient client, PrintWriter out);

    /**
     * @return true when the server's JSON is to be printed instead of a table.
     */
    protected final boolean json()
    {
        return options.json();
    }

    /**
     * @param out  where to print.
     * @param node a JSON document, printed pretty with two-space indents.
     */
    protected static void printJson(final PrintWriter out, final JsonNode node)
    {
        try
        {
            out.println(PRETTY.writeValueAsString(node));
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("a parsed JSON tree always renders", ex);
        }
    }

    private static void hint(final PrintWriter err, final ApiException ex)
    {
        if (ex.status() == 401)
        {
            err.println("axiom: this server needs an API token: pass --token TOKEN or set " +
                ClientOptions.TOKEN_ENV);
        }
        else if (ex.status() == 404 && "ROUTE_NOT_FOUND".equals(ex.code()))
        {
            err.println("axiom: this server does not offer " + ex.method() + " " + pathOnly(ex.path()) +
                ": not available in this version");
        }
    }

    private static String pathOnly(final String path)
    {
        final int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }
}
