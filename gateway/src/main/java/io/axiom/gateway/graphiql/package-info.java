/**
 * GraphiQL, the in-browser GraphQL IDE, at {@code GET /graphiql}, served from the jar so that it works on a machine
 * with no network beyond the server itself.
 * <p>
 * The page is a resource of this package; GraphiQL's UMD bundle (which includes the graphql-ws client used for
 * subscriptions) and React come from webjars on the classpath, under versioned asset paths that browsers may cache for
 * good. The page configures GraphiQL with {@code /graphql} for queries and mutations and {@code ws(s)://<host>/graphql}
 * for subscriptions; the headers editor's content goes with both, which is how a configured API token reaches the
 * server. Without a query in the URL the editor opens on an Axiom example query rather than GraphiQL's welcome text;
 * the web console links here with a query of its own. A Content-Security-Policy keeps the browser on this server.
 * <p>
 * What this package must never know: the schema, the engine, or how tokens are checked. It serves static bytes; the
 * {@code graphql} package answers what the page asks.
 */
package io.axiom.gateway.graphiql;
