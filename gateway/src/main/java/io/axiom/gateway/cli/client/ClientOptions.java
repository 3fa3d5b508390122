package io.axiom.gateway.cli.client;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options every client command shares: which server, which token, and whether to print the server's JSON.
 * They are accepted after the command ({@code axiom workflow list --json}) and, as the {@link #GLOBAL} mixin of the
 * top command, before it ({@code axiom --json workflow list}); one given after the command wins over the same one
 * given before. Flags win over the environment ({@code AXIOM_SERVER}, {@code AXIOM_API_TOKEN}), which wins over the
 * default.
 */
public final class ClientOptions
{
    /** Name of the mixin on the top command that holds these options when given before the command. */
    public static final String GLOBAL = "global";

    /** Where the server is when neither the flag nor the environment says. */
    public static final String DEFAULT_SERVER = "http://localhost:4000";
    /** Environment variable naming the server. */
    public static final String SERVER_ENV = "AXIOM_SERVER";
    /** Environment variable holding the API token; the server reads the same one. */
    public static final String TOKEN_ENV = "AXIOM_API_TOKEN";

    @Option(names = "--server", paramLabel = "URL", order = 100,
        description = "server base URL (default: $" + SERVER_ENV + ", else " + DEFAULT_SERVER + ")")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", order = 101,
        description = "API token, sent as Authorization: Bearer TOKEN (default: $" + TOKEN_ENV + ")")
    String token;

    @Option(names = "--json", order = 102, description = "print the server's JSON answer, pretty-printed")
    boolean json;

    /**
     * Take each option not given here from the same options given before the command.
     *
     * @param global the options given before the command.
     */
    void inherit(final ClientOptions global)
    {
        if (null == server)
        {
            server = global.server;
        }
        if (null == token)
        {
            token = global.token;
        }
        json |= global.json;
    }

    /**
     * @param env  environment variables.
     * @param line the command line, for usage errors.
     * @return the server's base URI, without a trailing slash.
     * @throws CommandLine.ParameterException when the URL is not an absolute http(s) URL.
     */
    URI serverUri(final Map<String, String> env, final CommandLine line)
    {
        final String fromEnv = env.get(SERVER_ENV);
        final String raw = null != server ? server :
            null != fromEnv && !fromEnv.isBlank() ? fromEnv.trim() : DEFAULT_SERVER;
        final String source = null != server ? "--server" : null != fromEnv && !fromEnv.isBlank() ? SERVER_ENV :
            "the default";
        final URI uri;
        try
        {
            uri = URI.create(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(line, "server URL '" + raw + "' (from " + source +
                ") is not a valid URL: " + ex.getMessage());
        }
        final String scheme = null == uri.getScheme() ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!("http".equals(scheme) || "https".equals(scheme)) || null == uri.getHost())
        {
            throw new CommandLine.ParameterException(line, "server URL '" + raw + "' (from " + source +
                ") must look like http://HOST:PORT");
        }
        return uri;
    }

    /**
     * @param env environment variables.
     * @return the token to send, or null for none.
     */
    String token(final Map<String, String> env)
    {
        final String value = null != token ? token : env.get(TOKEN_ENV);
        return null == value || value.isBlank() ? null : value.trim();
    }

    /**
     * @return true to print the server's JSON instead of tables.
     */
    boolean json()
    {
        return json;
    }
}
