package io.axiom.gateway.graphql;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;
import io.axiom.gateway.graphiql.GraphiQlModule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GraphiQL's page and assets over plain HTTP: content types, caching, ETags, gzip, and a page that names only this
 * server.
 */
class GraphiQlAssetsTest
{
    @TempDir
    static Path dataDir;

    private static TestServer server;

    @BeforeAll
    static void start()
    {
        server = SmallServer.start(dataDir);
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
            server = null;
        }
    }

    @Test
    void pageIsHtmlWithAContentSecurityPolicyAndOnlyLocalReferences()
    {
        final TestServer.Response page = server.get("/graphiql");

        assertEquals(200, page.status(), page::toString);
        assertEquals("text/html; charset=utf-8", page.contentType());
        assertEquals(GraphiQlModule.CONTENT_SECURITY_POLICY, page.header("Content-Security-Policy"));
        assertEquals("no-cache", page.header("Cache-Control"));
        assertTrue(page.body().contains("/graphiql/assets/graphiql/2.4.7/graphiql.min.js"), page.body());
        assertTrue(!page.body().contains("http://") && !page.body().contains("https://") &&
            !page.body().contains("//cdn") && !page.body().contains("unpkg"), "no absolute URL: " + page.body());
    }

    @Test
    void everyAssetHasItsTypeCachingAndEtag()
    {
        final GraphiQlModule module = new GraphiQlModule();
        for (final String asset : module.assetPaths())
        {
            final TestServer.Response r = server.get(GraphiQlModule.ASSETS + asset);
            assertEquals(200, r.status(), asset);
            final String expectedType = asset.endsWith(".js") ? "text/javascript; charset=utf-8" :
                "text/css; charset=utf-8";
            assertEquals(expectedType, r.contentType(), asset);
            assertNotNull(r.header("ETag"), asset);
            assertEquals("nosniff", r.header("X-Content-Type-Options"), asset);
            assertEquals(asset.startsWith("axiom/") ? "no-cache" : "public, max-age=31536000, immutable",
                r.header("Cache-Control"), asset);

            final TestServer.Response again = server.send(server.request(GraphiQlModule.ASSETS + asset)
                .header("If-None-Match", r.header("ETag")).GET().build());
            assertEquals(304, again.status(), asset);
        }
        assertEquals(404, server.get(GraphiQlModule.ASSETS + "graphiql/2.4.7/../../../etc/passwd").status());
        assertEquals(404, server.get(GraphiQlModule.ASSETS + "nothing.js").status());
    }

    @Test
    void gzipIsServedToClientsThatAcceptIt() throws Exception
    {
        final String path = GraphiQlModule.ASSETS + "graphiql/2.4.7/graphiql.min.js";
        final byte[] plain = resource("META-INF/resources/webjars/graphiql/2.4.7/graphiql.min.js");

        final HttpResponse<byte[]> gzipped = bytes(server.request(path).header("Accept-Encoding", "gzip").GET()
            .build());
        assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(null));
        assertTrue(gzipped.body().length < plain.length / 2, "compressed");
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body())))
        {
            assertArrayEquals(plain, in.readAllBytes());
        }

        final HttpResponse<byte[]> identity = bytes(server.request(path).GET().build());
        assertTrue(identity.headers().firstValue("Content-Encoding").isEmpty());
        assertArrayEquals(plain, identity.body());
    }

    private static HttpResponse<byte[]> bytes(final HttpRequest request) throws IOException, InterruptedException
    {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient())
        {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    private static byte[] resource(final String name) throws IOException
    {
        try (InputStream in = GraphiQlAssetsTest.class.getClassLoader().getResourceAsStream(name))
        {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }
}
