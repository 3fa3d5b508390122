package io.axiom.gateway.graphiql;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.axiom.gateway.http.GatewayModule;

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
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final String REVALIDATE = "no-cache";

    private final Asset page;
    private final Map<String, Asset> assets = new LinkedHashMap<>();

    /**
     * Load the page and every asset from the classpath.
     *
     * @throws IllegalStateException naming the resource when one is missing.
     */
    public GraphiQlModule()
    {
        page = Asset.load(OWN + "graphiql.html", "text/html; charset=utf-8", REVALIDATE);
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
        routing.get(PATH, (req, res) -> serve(req, res, page));
        routing.get(PATH + "/", (req, res) -> serve(req, res, page));
        for (final Map.Entry<String, Asset> e : assets.entrySet())
        {
            final Asset asset = e.getValue();
            routing.get(ASSETS + e.getKey(), (req, res) -> serve(req, res, asset));
        }
    }

    private void add(final String path, final String resource, final String contentType, final String cacheControl)
    {
        assets.put(path, Asset.load(resource, contentType, cacheControl));
    }

    private static void serve(final ServerRequest req, final ServerResponse res, final Asset asset)
    {
        res.header(HeaderNames.CACHE_CONTROL, asset.cacheControl);
        res.header(HeaderNames.ETAG, asset.etag);
        res.header(HeaderNames.VARY, "Accept-Encoding");
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        if (asset.contentType.startsWith("text/html"))
        {
            res.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
            res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        }
        final List<String> ifNoneMatch = req.headers().all(HeaderNames.IF_NONE_MATCH, List::of);
        for (final String value : ifNoneMatch)
        {
            for (final String tag : value.split(","))
            {
                if (asset.etag.equals(tag.trim()) || "*".equals(tag.trim()))
                {
                    res.status(Status.NOT_MODIFIED_304);
                    res.send();
                    return;
                }
            }
        }
        res.header(HeaderNames.CONTENT_TYPE, asset.contentType);
        if (acceptsGzip(req))
        {
            res.header(HeaderNames.CONTENT_ENCODING, "gzip");
            res.send(asset.gzipped);
        }
        else
        {
            res.send(asset.bytes);
        }
    }

    private static boolean acceptsGzip(final ServerRequest req)
    {
        for (final String value : req.headers().all(HeaderNames.ACCEPT_ENCODING, List::of))
        {
            for (final String coding : value.split(","))
            {
                final String[] parts = coding.trim().split(";");
                if ("gzip".equalsIgnoreCase(parts[0].trim()))
                {
                    return !(parts.length > 1 && parts[1].replace(" ", "").matches("q=0(\\.0*)?"));
                }
            }
        }
        return false;
    }

    /**
     * One resource held in memory, plain and gzipped.
     */
    private static final class Asset
    {
        private final byte[] bytes;
        private final byte[] gzipped;
        private final String contentType;
        private final String cacheControl;
        private final String etag;

        private Asset(final byte[] bytes, final String contentType, final String cacheControl)
        {
            this.bytes = bytes;
            this.gzipped = gzip(bytes);
            this.contentType = contentType;
            this.cacheControl = cacheControl;
            this.etag = "\"" + sha256(bytes).substring(0, 32) + "\"";
        }

        static Asset load(final String resource, final String contentType, final String cacheControl)
        {
            final ClassLoader loader = GraphiQlModule.class.getClassLoader();
            try (InputStream in = loader.getResourceAsStream(resource))
            {
                if (null == in)
                {
                    throw new IllegalStateException("GraphiQL asset " + resource + " is missing from the classpath " +
                        "(the graphiql, react and react-dom webjars must be on it)");
                }
                return new Asset(in.readAllBytes(), contentType, cacheControl);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read GraphiQL asset " + resource, ex);
            }
        }

        private static byte[] gzip(final byte[] bytes)
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
            try (GZIPOutputStream gz = new GZIPOutputStream(out))
            {
                gz.write(bytes);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            return out.toByteArray();
        }

        private static String sha256(final byte[] bytes)
        {
            try
            {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            }
            catch (final NoSuchAlgorithmException ex)
            {
                throw new IllegalStateException("SHA-256 is part of every JDK", ex);
            }
        }
    }
}
