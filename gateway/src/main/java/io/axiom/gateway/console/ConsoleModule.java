package io.axiom.gateway.console;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.helidon.webserver.http.HttpRouting;

import io.axiom.gateway.http.Gateway;
import io.axiom.gateway.http.GatewayModule;
import io.axiom.gateway.http.StaticAsset;

/**
 * The web console at {@code GET /}: a page, a style sheet and native ES modules, all resources of this package, and
 * uPlot 1.6.30 from its webjar. Nothing is fetched from anywhere but this server, and a Content-Security-Policy tells
 * the browser to keep it that way.
 * <p>
 * The console's own files are served under {@code /console/<version>/}, where the version is a digest of all of
 * them, and uPlot under {@code /console/uplot/1.6.30/}: both paths change whenever their bytes do, so they are cached
 * for a year; the page names the current version and is revalidated by ETag. Every file is read (and gzipped) once
 * at start-up, so a missing one fails the start, not the first visitor. The page and its assets are open without a
 * token: they hold no data; the console asks for the token when the API answers 401.
 */
public final class ConsoleModule implements GatewayModule
{
    /** Where the page is served. */
    public static final String PATH = "/";
    /** Prefix of every asset of the page. */
    public static final String ASSETS = "/console/";
    /** The uPlot version served, the one the root pom pins. */
    public static final String UPLOT_VERSION = "1.6.30";
    /** The page's own files, relative to this package's resources, in the order the page loads them. */
    public static final List<String> FILES = List.of("console.css", "app.js", "api.js", "live.js", "ui.js",
        "workflows.js", "workflow.js", "tasks.js", "charts.js");
    /** What the page may load and connect to: this server only (connect-src 'self' includes its WebSocket). */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; " +
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final String OWN = "io/axiom/gateway/console/";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";
    private static final String PLACEHOLDER = "{{assets}}";

    private final String version;
    private final StaticAsset page;
    private final Map<String, StaticAsset> assets = new LinkedHashMap<>();

    /**
     * Load the page and every asset from the classpath.
     *
     * @throws IllegalStateException naming the resource when one is missing.
     */
    public ConsoleModule()
    {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        final Map<String, byte[]> own = new LinkedHashMap<>();
        for (final String file : FILES)
        {
            final byte[] bytes = read(OWN + file);
            own.put(file, bytes);
            all.writeBytes(file.getBytes(StandardCharsets.UTF_8));
            all.writeBytes(bytes);
        }
        version = StaticAsset.sha256(all.toByteArray()).substring(0, 12);
        for (final Map.Entry<String, byte[]> e : own.entrySet())
        {
            assets.put(version + "/" + e.getKey(),
                StaticAsset.of(e.getValue(), contentType(e.getKey()), StaticAsset.IMMUTABLE, null));
        }
        assets.put("uplot/" + UPLOT_VERSION + "/uPlot.esm.js", StaticAsset.of(read(UPLOT + "uPlot.esm.js"),
            contentType(".js"), StaticAsset.IMMUTABLE, null));
        assets.put("uplot/" + UPLOT_VERSION + "/uPlot.min.css", StaticAsset.of(read(UPLOT + "uPlot.min.css"),
            contentType(".css"), StaticAsset.IMMUTABLE, null));

        final String html = new String(read(OWN + "index.html"), StandardCharsets.UTF_8);
        if (!html.contains(PLACEHOLDER))
        {
            throw new IllegalStateException("the console page " + OWN + "index.html does not name " + PLACEHOLDER);
        }
        page = StaticAsset.of(html.replace(PLACEHOLDER, ASSETS + version).getBytes(StandardCharsets.UTF_8),
            "text/html; charset=utf-8", StaticAsset.REVALIDATE, CONTENT_SECURITY_POLICY);
    }

    /**
     * @return the digest of the console's own files that names the path they are served under.
     */
    public String version()
    {
        return version;
    }

    /**
     * @return the asset paths served, relative to {@link #ASSETS}.
     */
    public List<String> assetPaths()
    {
        return List.copyOf(assets.keySet());
    }

    /**
     * @return the page's bytes as served (the asset version filled in).
     */
    public byte[] page()
    {
        return page.bytes();
    }

    /**
     * @return what a first visit transfers in bodies when gzip is accepted: the page and every asset.
     */
    public long firstLoadGzippedBytes()
    {
        long total = page.gzippedLength();
        for (final StaticAsset asset : assets.values())
        {
            total += asset.gzippedLength();
        }
        return total;
    }

    @Override
    public void routes(final HttpRouting.Builder routing)
    {
        routing.get(PATH, page::serve);
        for (final Map.Entry<String, StaticAsset> e : assets.entrySet())
        {
            routing.get(ASSETS + e.getKey(), e.getValue()::serve);
        }
        routing.any(PATH, Gateway.notAllowed("GET"));
    }

    private static String contentType(final String file)
    {
        if (file.endsWith(".js"))
        {
            return "text/javascript; charset=utf-8";
        }
        if (file.endsWith(".css"))
        {
            return "text/css; charset=utf-8";
        }
        throw new IllegalStateException("no content type for " + file);
    }

    private static byte[] read(final String resource)
    {
        return StaticAsset.read(resource, "console (the uplot webjar must be on the classpath)");
    }
}
