package io.axiom.core.api;

/**
 * A value that is already a JSON document and must be embedded as such, not quoted.
 *
 * @param json the JSON text.
 */
public record RawJson(String json)
{
}
