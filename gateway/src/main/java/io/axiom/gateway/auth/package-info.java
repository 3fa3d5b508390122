/**
 * Who may call the API: the optional shared bearer token ({@code gateway.api-token}, env {@code AXIOM_API_TOKEN}).
 * <p>
 * {@link io.axiom.gateway.auth.ApiToken} owns the check and its constant-time comparison (SHA-256 of both sides,
 * compared with {@code MessageDigest.isEqual}); {@link io.axiom.gateway.auth.AuthModule} is the filter that runs
 * before every route and refuses with 401 {@code UNAUTHENTICATED} and {@code WWW-Authenticate: Bearer realm="axiom"}.
 * <p>
 * Open without a token: {@code /health}, {@code /ready}, {@code /api/v1/openapi.yaml} (it describes the API and holds
 * no data) and the pages and assets of GraphiQL and the web console ({@code /}, {@code /console/...}: static bytes; the
 * console asks for the token when the API answers 401). Everything else, {@code /api/*} and {@code /graphql} in
 * particular, needs the token. The GraphQL WebSocket is upgraded before HTTP filters run; its endpoint checks the token
 * sent in {@code connection_init}. Without a token configured the filter is not installed and the server says so at
 * start-up.
 */
package io.axiom.gateway.auth;
