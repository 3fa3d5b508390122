package io.axiom.gateway.graphql;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GraphiQL in headless Chromium that can resolve no host but 127.0.0.1: the page loads from the server alone,
 * renders, runs a query, runs a subscription over the WebSocket, and with an API token configured sends what the
 * headers editor holds (the refusal without it is GraphQlAuthTest's). Every URL the page requested must be the
 * server's.
 */
class GraphiQlBrowserTest
{
    private static final String RESULT = "(() => { const r = document.querySelector('.result-window .CodeMirror');" +
        " return r ? r.CodeMirror.getValue() : ''; })()";
    private static final String EXECUTE = "document.querySelector('.graphiql-execute-button').click(); true";
    private static final String RENDERED = "!!document.querySelector('.graphiql-container .graphiql-execute-button')";
    private static final String SET_TOKEN = "document.querySelectorAll('.graphiql-editor-tool .graphiql-editor')" +
        "[1].querySelector('.CodeMirror').CodeMirror.setValue('{\"Authorization\": \"Bearer browser-token\"}'); true";
    /** Without the token GraphiQL's schema fetch is refused, and GraphiQL shows that in the result pane. */
    private static final String INTROSPECTION_REFUSED = RESULT + ".includes('UNAUTHENTICATED')";
    private static final String INTROSPECTION_REFUSED_WHAT = "GraphiQL to show that its schema fetch was refused " +
        "(it would overwrite a result that came sooner)";
    private static final String QUERY = "(() => { const q = document.querySelector('.graphiql-query-editor " +
        ".CodeMirror'); return q ? q.CodeMirror.getValue() : ''; })()";

    @TempDir
    Path tmp;

    @Test
    void graphiQlLoadsOfflineRendersAndRunsAQueryAndASubscription() throws Exception
    {
        try (TestServer server = SmallServer.start(Files.createDirectories(tmp.resolve("data")));
            HeadlessChromium browser = HeadlessChromium.launch(Files.createDirectories(tmp.resolve("profile"))))
        {
            final String origin = "http://127.0.0.1:" + server.port();
            browser.navigate(origin + "/graphiql?query=" + encode("{ health { status engine } }"));
            browser.await("GraphiQL to render", RENDERED);
            browser.await("the query in the editor", QUERY + ".includes('health')");
            browser.evaluate(EXECUTE);
            browser.await("the query's result", RESULT + ".includes('\"engine\": \"READY\"')");

            browser.navigate(origin + "/graphiql?query=" + encode("subscription { taskUpdates { queued } }"));
            browser.await("GraphiQL to render", RENDERED);
            browser.await("the subscription in the editor", QUERY + ".includes('taskUpdates')");
            browser.evaluate(EXECUTE);
            browser.await("the subscription's first result", RESULT + ".includes('\"queued\"')");

            assertOnlyLocal(browser, server.port());
            assertTrue(browser.requestedUrls().contains("ws://127.0.0.1:" + server.port() + "/graphql"),
                "the subscription went over the WebSocket: " + browser.requestedUrls());
        }
    }

    @Test
    void withATokenTheHeadersEditorCarriesItOverHttpAndWebSocket() throws Exception
    {
        try (TestServer server = SmallServer.start(Files.createDirectories(tmp.resolve("data")),
            "--gateway.api-token", "browser-token");
            HeadlessChromium browser = HeadlessChromium.launch(Files.createDirectories(tmp.resolve("profile"))))
        {
            final String origin = "http://127.0.0.1:" + server.port();
            browser.navigate(origin + "/graphiql?query=" + encode("{ health { status } }"));
            browser.await("GraphiQL to render", RENDERED);
            browser.await("the query in the editor", QUERY + ".includes('health')");
            browser.await(INTROSPECTION_REFUSED_WHAT, INTROSPECTION_REFUSED);
            browser.evaluate(SET_TOKEN);
            browser.evaluate(EXECUTE);
            browser.await("the query's result with the token", RESULT + ".includes('\"status\": \"UP\"')");

            browser.navigate(origin + "/graphiql?query=" + encode("subscription { taskUpdates { queued } }"));
            browser.await("GraphiQL to render", RENDERED);
            browser.await("the subscription in the editor", QUERY + ".includes('taskUpdates')");
            browser.await(INTROSPECTION_REFUSED_WHAT, INTROSPECTION_REFUSED);
            browser.evaluate(SET_TOKEN);
            browser.evaluate(EXECUTE);
            browser.await("the subscription's first result with the token", RESULT + ".includes('\"queued\"')");

            assertOnlyLocal(browser, server.port());
            assertTrue(browser.requestedUrls().contains("ws://127.0.0.1:" + server.port() + "/graphql"),
                "the subscription went over the WebSocket: " + browser.requestedUrls());
        }
    }

    private static void assertOnlyLocal(final HeadlessChromium browser, final int port)
    {
        final List<String> outside = browser.requestedUrlsNot(url -> url.startsWith("http://127.0.0.1:" + port + "/") ||
            url.startsWith("ws://127.0.0.1:" + port + "/") || url.startsWith("data:") || url.equals("about:blank"));
        assertEquals(List.of(), outside, "the page asked for something outside the server");
        final List<String> blocked = browser.console().stream()
            .filter(line -> line.contains("Content Security Policy") || line.contains("ERR_NAME_NOT_RESOLVED"))
            .toList();
        assertEquals(List.of(), blocked, "nothing was blocked; console: " + browser.console());
    }

    private static String encode(final String text)
    {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
