package io.axiom.gateway.graphql;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With {@code gateway.api-token} set, the GraphQL WebSocket wants the token in {@code connection_init}'s payload and
 * closes with 4403 without it; HTTP requests to {@code /graphql} need it too, GraphiQL's page does not.
 */
class GraphQlAuthTest
{
    private static final String TOKEN = "s3cret-token";

    @TempDir
    static Path dataDir;

    private static TestServer server;

    @BeforeAll
    static void start()
    {
        server = SmallServer.start(dataDir, "--gateway.api-token", TOKEN);
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
    void initWithoutTheTokenIsClosedWith4403()
    {
        for (final String payload : new String[] {null, "{}", "{\"Authorization\":\"Bearer wrong\"}",
            "{\"Authorization\":\"" + TOKEN + "\"}", "{\"Authorization\":42}", "{\"token\":\"" + TOKEN + "\"}"})
        {
            try (WsTestClient ws = WsTestClient.connect(server.port()))
            {
                ws.send(null == payload ? "{\"type\":\"connection_init\"}" :
                    "{\"type\":\"connection_init\",\"payload\":" + payload + "}");
                final WsTestClient.Closed closed = ws.awaitClose();
                assertEquals(GraphQlWsConnection.FORBIDDEN, closed.code(), String.valueOf(payload));
                assertEquals(0, ws.pending(), "no ack");
            }
        }
    }

    @Test
    void initWithTheTokenIsAcknowledgedInEitherCase()
    {
        for (final String name : new String[] {"Authorization", "authorization"})
        {
            try (WsTestClient ws = WsTestClient.connect(server.port()))
            {
                ws.init("{\"" + name + "\":\"Bearer " + TOKEN + "\"}");
                ws.subscribe("h", "{ health { status } }", null);
                assertEquals("UP", ws.next().get("payload").get("data").get("health").get("status").asText());
            }
        }
    }

    @Test
    void httpNeedsTheTokenButGraphiQlDoesNot()
    {
        final GraphQlHttp graphQl = new GraphQlHttp(server);
        assertEquals(401, graphQl.post("{ health { status } }", null).status());
        assertEquals(200, graphQl.post("{ health { status } }", null, "Authorization", "Bearer " + TOKEN).status());
        final String get = "/graphql?query=%7B%20health%20%7B%20status%20%7D%20%7D";
        assertEquals(401, server.get(get).status(), "a query by GET needs the token too");
        assertEquals(200, server.send(server.request(get).header("Authorization", "Bearer " + TOKEN).GET().build())
            .status());
        assertEquals(401, server.post("/graphql", "application/graphql", "{ health { status } }").status());
        assertEquals(200, server.get("/graphiql").status());
        assertEquals(200, server.get("/graphiql/assets/graphiql/2.4.7/graphiql.min.js").status());
    }
}
