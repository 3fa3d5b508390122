package io.axiom.gateway.openapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.axiom.gateway.http.ApiProblem;
import io.axiom.gateway.http.GatewayModule;
import io.axiom.gateway.http.JsonViews;

/**
 * Serves the OpenAPI 3.1 document of the REST API at {@code GET /api/v1/openapi.yaml}, as written in the jar's
 * resource {@value #RESOURCE}. The document is open without a token: it describes the API and holds no data.
 */
public final class OpenApiModule implements GatewayModule
{
    /** Where the document is served. */
    public static final String PATH = "/api/v1/openapi.yaml";
    /** The class-path resource holding the document. */
    public static final String RESOURCE = "/io/axiom/gateway/openapi/openapi.yaml";
    /** The content type it is served with. */
    public static final String CONTENT_TYPE = "application/yaml";

    private final byte[] document;

    /**
     * Load the document from the jar.
     */
    public OpenApiModule()
    {
        this.document = load();
    }

    /**
     * @return the document's bytes (UTF-8 YAML).
     */
    public static byte[] load()
    {
        try (InputStream in = OpenApiModule.class.getResourceAsStream(RESOURCE))
        {
            if (null == in)
            {
                throw new IllegalStateException("the OpenAPI document " + RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void routes(final HttpRouting.Builder routing)
    {
        routing
            .get(PATH, this::serve)
            .any(PATH, OpenApiModule::onlyGet);
    }

    private void serve(final ServerRequest req, final ServerResponse res)
    {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        res.send(document);
    }

    private static void onlyGet(final ServerRequest req, final ServerResponse res)
    {
        final ApiProblem problem = new ApiProblem(405, "METHOD_NOT_ALLOWED", "Method not allowed",
            "method " + req.prologue().method().text() + " is not allowed on " + req.path().rawPath() +
            "; allowed: GET");
        res.status(Status.METHOD_NOT_ALLOWED_405);
        res.header(HeaderNames.ALLOW, "GET");
        res.header(HeaderNames.CONTENT_TYPE, "application/problem+json");
        res.send(JsonViews.problem(problem, req.path().rawPath()));
    }
}
