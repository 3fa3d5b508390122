/**
 * Who may call the API: the optional shared bearer token ({@code gateway.api-token}, env {@code AXIOM_API_TOKEN}).
 * Owns the check and its constant-time comparison; knows nothing of routes beyond which paths are open
 * ({@code /health}, {@code /ready}, GraphiQL's static page).
 */
package io.axiom.gateway.auth;
