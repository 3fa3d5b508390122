/**
 * The OpenAPI 3.1 description of the REST API, served at {@code GET /api/v1/openapi.yaml} from the resource
 * {@code io/axiom/gateway/openapi/openapi.yaml} in the jar.
 * <p>
 * The document is hand-written from the routes ({@code http.Gateway}), the request parser and the JSON views, and
 * kept honest by a test that validates it with an independent OpenAPI parser and then checks real answers of a
 * running server, success and problem alike, against the schema of their documented status. Change a route or a
 * view and that test tells you which part of the document to change.
 */
package io.axiom.gateway.openapi;
