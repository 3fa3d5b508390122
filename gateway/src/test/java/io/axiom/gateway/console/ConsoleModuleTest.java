package io.axiom.gateway.console;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;
import io.axiom.gateway.http.StaticAsset;
import io.axiom.gateway.metrics.RouteTemplates;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's page and assets over HTTP: open without a token while the API is not, gzip, ETag and 304, the
 * Content-Security-Policy, immutable caching of versioned paths, 404 and 405 as problems; and, without a server, that
 * every module the page loads is served and the first load stays under 300 kB.
 */
class ConsoleModuleTest
{
    private static final String TOKEN = "console-module-token";
    private static final Pattern IMPORT = Pattern.compile("(?m)^import .* from '([^']+)';$");

    @TempDir
    Path dir;

    @Test
    void pageAndAssetsAreOpenGzippedCachedAndTheApiIsNot() throws Exception
    {
        final ConsoleModule module = new ConsoleModule();
        try (TestServer server = TestServer.start(dir, "--gateway.api-token", TOKEN);
            HttpClient http = HttpClient.newHttpClient())
        {
            final HttpResponse<byte[]> page = get(http, server, "/", "Accept-Encoding", "gzip, deflate");
            assertEquals(200, page.statusCode());
            assertEquals("text/html; charset=utf-8", header(page, "Content-Type"));
            assertEquals("gzip", header(page, "Content-Encoding"));
            assertEquals("no-cache", header(page, "Cache-Control"));
            assertEquals(ConsoleModule.CONTENT_SECURITY_POLICY, header(page, "Content-Security-Policy"));
            assertEquals("nosniff", header(page, "X-Content-Type-Options"));
            final byte[] html = gunzip(page.body());
            assertArrayEquals(module.page(), html);
            final String text = new String(html, StandardCharsets.UTF_8);
            assertTrue(text.contains("/console/" + module.version() + "/app.js"), text);
            assertTrue(!text.contains("{{"), "every placeholder is filled: " + text);

            final HttpResponse<byte[]> again = get(http, server, "/", "If-None-Match", header(page, "ETag"));
            assertEquals(304, again.statusCode());

            for (final String asset : module.assetPaths())
            {
                final HttpResponse<byte[]> res = get(http, server, ConsoleModule.ASSETS + asset);
                assertEquals(200, res.statusCode(), asset);
                assertEquals(StaticAsset.IMMUTABLE, header(res, "Cache-Control"), asset);
                assertTrue(header(res, "Content-Type").startsWith(asset.endsWith(".js") ? "text/javascript" :
                    "text/css"), asset + ": " + header(res, "Content-Type"));
            }

            assertProblem(get(http, server, "/console/" + module.version() + "/nothing.js"), 404, "ROUTE_NOT_FOUND");
            assertProblem(get(http, server, "/console/"), 401, "UNAUTHENTICATED");
            assertProblem(get(http, server, "/console/x/../../api/v1/workflows"), 401, "UNAUTHENTICATED");
            assertProblem(get(http, server, "/api/v1/workflows"), 401, "UNAUTHENTICATED");
            final HttpResponse<byte[]> post = http.send(server.request("/")
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertProblem(post, 405, "METHOD_NOT_ALLOWED");
            assertEquals("GET", header(post, "Allow"));
        }
    }

    @Test
    void everyModuleThePageImportsIsServedAndTheFirstLoadIsSmall()
    {
        final ConsoleModule module = new ConsoleModule();
        assertTrue(module.version().matches("[0-9a-f]{12}"), module.version());
        assertEquals(module.version(), new ConsoleModule().version(), "the version is a digest, the same each time");
        final String page = new String(module.page(), StandardCharsets.UTF_8);
        final List<String> missing = new ArrayList<>();
        for (final String file : ConsoleModule.FILES)
        {
            final String path = "/console/" + module.version() + "/" + file;
            if (!page.contains("\"" + path + "\""))
            {
                missing.add("index.html does not load " + path);
            }
            if (file.endsWith(".js"))
            {
                final String source = new String(StaticAsset.read("io/axiom/gateway/console/" + file, "test"),
                    StandardCharsets.UTF_8);
                final Matcher imports = IMPORT.matcher(source);
                while (imports.find())
                {
                    final String target = imports.group(1);
                    final boolean served = target.startsWith("./") ?
                        ConsoleModule.FILES.contains(target.substring(2)) :
                        module.assetPaths().contains(target.substring(ConsoleModule.ASSETS.length()));
                    if (!served)
                    {
                        missing.add(file + " imports " + target + ", which is not served");
                    }
                }
            }
        }
        assertEquals(List.of(), missing);
        final long bytes = module.firstLoadGzippedBytes();
        System.out.println("console first load, gzipped bodies: " + bytes + " bytes");
        assertTrue(bytes < 300_000, "first load " + bytes + " bytes");
    }

    @Test
    void routesAreTemplated()
    {
        assertEquals("/", RouteTemplates.route("/"));
        assertEquals("/console/{asset}", RouteTemplates.route("/console/0123456789ab/app.js"));
        assertEquals("/console/{asset}", RouteTemplates.route("/console/uplot/1.6.30/uPlot.esm.js"));
        assertEquals(RouteTemplates.UNMATCHED, RouteTemplates.route("/console/"));
        assertEquals(RouteTemplates.UNMATCHED, RouteTemplates.route("/consolex"));
    }

    private static HttpResponse<byte[]> get(
        final HttpClient http, final TestServer server, final String path, final String... headers) throws Exception
    {
        final HttpRequest.Builder request = server.request(path).GET();
        for (int i = 0; i < headers.length; i += 2)
        {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(final HttpResponse<?> res, final String name)
    {
        return res.headers().firstValue(name).orElse(null);
    }

    private static void assertProblem(final HttpResponse<byte[]> res, final int status, final String code)
    {
        final String body = new String(res.body(), StandardCharsets.UTF_8);
        assertEquals(status, res.statusCode(), body);
        assertEquals("application/problem+json", header(res, "Content-Type"), body);
        assertTrue(body.contains("\"code\":\"" + code + "\""), body);
    }

    private static byte[] gunzip(final byte[] bytes) throws IOException
    {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes)))
        {
            return in.readAllBytes();
        }
    }
}
