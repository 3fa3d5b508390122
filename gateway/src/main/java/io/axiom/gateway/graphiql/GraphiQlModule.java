package io.axiom.gateway.graphiql;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.helidon.webserver.http.HttpRouting;

import io.axiom.gateway.http.GatewayModule;
import io.axiom.gateway.http.StaticAsset;

/**
 * GraphiQL at {@code GET /graphiql}, entirely from the jar: the page and its boot script are resources of this
 * package, GraphiQL 2.4.7 (with the graphql-ws client it bundles) and React 18.2.0 come from their webjars. Nothing
 * is fetched from anywhere but this server, and a Content-Security-Policy tells the browser to keep it that way.
 * <p>
 * Every asset is read (and gzipped) once at start-up, so a missing webjar fails the start, not the first visitor.
 * Webjar assets live under versioned paths and are cached for a year; the page and the boot script are revalidated
 * by ETag. The page and its assets are open: a token, when one is configured, goes into GraphiQL's headers editor.
 */
public final class GraphiQlModule implements GatewayModule
{
    /** Where the page is served. */
    public static final String PATH = "/graphiql";
    /** Prefix of the page's assets. */
    public static final String ASSETS = PATH + "/assets/";
    /** What the page may load and connect to: this server only. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; " +
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final String OWN = "io/axiom/gateway/graphiql/";
    private static final String WEBJARS = "META-INF/resources/webjars/";
    private static final String JS = "text/javascript; charset=utf-8";
    private static final String CSS = "text/css; charset=utf-8";
    private static final String IMMUTABLE = StaticAsset.IMMUTABLE;
    private static final String REVALIDATE = StaticAsset.REVALIDATE;

    private final StaticAsset page;
    private final Map<String, StaticAsset> assets = new LinkedHashMap<>();

    /**
     * Load the page and every asset from the classpath.
     *
     * @throws IllegalStateException naming the resource when one is missing.
     */
    public GraphiQlModule()
    {
        page = StaticAsset.of(read(OWN + "graphiql.html"), "text/html; charset=utf-8", REVALIDATE,
            CONTENT_SECURITY_POLICY);
        add("graphiql/2.4.7/graphiql.min.js", WEBJARS + "graphiql/2.4.7/graphiql.min.js", JS, IMMUTABLE);
        add("graphiql/2.4.7/graphiql.min.css", WEBJARS + "graphiql/2.4.7/graphiql.min.css", CSS, IMMUTABLE);
        add("react/18.2.0/react.production.min.js", WEBJARS + "react/18.2.0/umd/react.production.min.js", JS,
            IMMUTABLE);
        add("react-dom/18.2.0/react-dom.production.min.js",
            WEBJARS + "react-dom/18.2.0/umd/react-dom.production.min.js", JS, IMMUTABLE);
        add("axiom/graphiql-boot.js", OWN + "graphiql-boot.js", JS, REVALIDATE);
        add("axiom/graphiql.css", OWN + "graphiql.css", CSS, REVALIDATE);
    }

    /**
     * @return the asset paths served, relative to {@link #ASSETS}.
     */
    public List<String> assetPaths()
    {
        return List.copyOf(assets.keySet());
    }

    @Override
    public void routes(final HttpRouting.Builder routing)
    {
        routing.get(PATH, page::serve);
        routing.get(PATH + "/", page::serve);
        for (final Map.Entry<String, StaticAsset> e : assets.entrySet())
        {
            routing.get(ASSETS + e.getKey(), e.getValue()::serve);
        }
    }

    private void add(final String path, final String resource, final String contentType, final String cacheControl)
    {
        assets.put(path, StaticAsset.of(read(resource), contentType, cacheControl, null));
    }

    private static byte[] read(final String resource)
    {
        return StaticAsset.read(resource,
            "GraphiQL (the graphiql, react and react-dom webjars must be on the classpath)");
    }
}
