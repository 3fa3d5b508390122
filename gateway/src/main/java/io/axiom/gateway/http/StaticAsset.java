package io.axiom.gateway.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * One static file served from the jar (a page, a script, a style sheet), held in memory plain and gzipped, with its
 * ETag (the first 128 bits of its SHA-256) and its {@code Cache-Control}. Pages and their assets of GraphiQL and the
 * web console are served with it: gzip when the client accepts it, 304 for a matching {@code If-None-Match},
 * {@code nosniff} always, and a page's Content-Security-Policy and {@code Referrer-Policy: no-referrer}.
 */
public final class StaticAsset
{
    /** Cache-Control of an asset under a path that changes whenever its bytes do. */
    public static final String IMMUTABLE = "public, max-age=31536000, immutable";
    /** Cache-Control of a page or an asset under a fixed path: revalidated by ETag on every use. */
    public static final String REVALIDATE = "no-cache";

    private final byte[] bytes;
    private final byte[] gzipped;
    private final String contentType;
    private final String cacheControl;
    private final String contentSecurityPolicy;
    private final String etag;

    private StaticAsset(
        final byte[] bytes, final String contentType, final String cacheControl, final String contentSecurityPolicy)
    {
        this.bytes = bytes;
        this.gzipped = gzip(bytes);
        this.contentType = contentType;
        this.cacheControl = cacheControl;
        this.contentSecurityPolicy = contentSecurityPolicy;
        this.etag = "\"" + sha256(bytes).substring(0, 32) + "\"";
    }

    /**
     * @param bytes                 the content.
     * @param contentType           its media type.
     * @param cacheControl          {@link #IMMUTABLE} or {@link #REVALIDATE}.
     * @param contentSecurityPolicy the policy of a page, or null for an asset.
     * @return the asset.
     */
    public static StaticAsset of(
        final byte[] bytes, final String contentType, final String cacheControl, final String contentSecurityPolicy)
    {
        return new StaticAsset(bytes.clone(), contentType, cacheControl, contentSecurityPolicy);
    }

    /**
     * @param resource    class-path resource name.
     * @param what        what the asset belongs to, for the message when it is missing.
     * @return its bytes.
     * @throws IllegalStateException naming the resource when it is missing.
     */
    public static byte[] read(final String resource, final String what)
    {
        try (InputStream in = StaticAsset.class.getClassLoader().getResourceAsStream(resource))
        {
            if (null == in)
            {
                throw new IllegalStateException(what + " asset " + resource + " is missing from the classpath");
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + what + " asset " + resource, ex);
        }
    }

    /**
     * @return the content, uncompressed (a copy).
     */
    public byte[] bytes()
    {
        return bytes.clone();
    }

    /**
     * @return the size of the gzipped content, what a client that accepts gzip receives as the body.
     */
    public int gzippedLength()
    {
        return gzipped.length;
    }

    /**
     * @return the entity tag, quoted.
     */
    public String etag()
    {
        return etag;
    }

    /**
     * Answer a GET of this asset.
     *
     * @param req the request.
     * @param res the response.
     */
    public void serve(final ServerRequest req, final ServerResponse res)
    {
        res.header(HeaderNames.CACHE_CONTROL, cacheControl);
        res.header(HeaderNames.ETAG, etag);
        res.header(HeaderNames.VARY, "Accept-Encoding");
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        if (null != contentSecurityPolicy)
        {
            res.header(HeaderNames.create("Content-Security-Policy"), contentSecurityPolicy);
            res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        }
        for (final String value : req.headers().all(HeaderNames.IF_NONE_MATCH, List::of))
        {
            for (final String tag : value.split(","))
            {
                if (etag.equals(tag.trim()) || "*".equals(tag.trim()))
                {
                    res.status(Status.NOT_MODIFIED_304);
                    res.send();
                    return;
                }
            }
        }
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        if (acceptsGzip(req))
        {
            res.header(HeaderNames.CONTENT_ENCODING, "gzip");
            res.send(gzipped);
        }
        else
        {
            res.send(bytes);
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

    private static byte[] gzip(final byte[] bytes)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out))
        {
            gz.write(bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /**
     * @param bytes content.
     * @return its SHA-256, hexadecimal.
     */
    public static String sha256(final byte[] bytes)
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
