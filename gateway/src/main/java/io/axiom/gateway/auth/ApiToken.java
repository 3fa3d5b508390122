package io.axiom.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The optional shared API token: with one configured, {@code /api/*}, {@code /graphql} and the GraphQL WebSocket's
 * {@code connection_init} need {@code Authorization: Bearer <token>}.
 * <p>
 * Comparison is constant-time over SHA-256 digests of both sides, so neither the content nor the length of the
 * token leaks through timing.
 */
public final class ApiToken
{
    private static final String BEARER = "bearer ";

    private final byte[] expectedDigest;

    private ApiToken(final String token)
    {
        this.expectedDigest = null == token ? null : sha256(token);
    }

    /**
     * @param token the configured token, or null/blank for none.
     * @return the checker.
     */
    public static ApiToken of(final String token)
    {
        return new ApiToken(null == token || token.isBlank() ? null : token);
    }

    /**
     * @return true when a token is configured and requests must carry it.
     */
    public boolean required()
    {
        return null != expectedDigest;
    }

    /**
     * @param authorization the value of an {@code Authorization} header (or of the {@code Authorization} member of
     *                      a WebSocket {@code connection_init} payload), or null.
     * @return true when no token is required, or the value is {@code Bearer <the token>}.
     */
    public boolean accepts(final String authorization)
    {
        if (null == expectedDigest)
        {
            return true;
        }
        if (null == authorization || authorization.length() < BEARER.length() ||
            !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length()))
        {
            return false;
        }
        final String presented = authorization.substring(BEARER.length()).trim();
        return MessageDigest.isEqual(expectedDigest, sha256(presented));
    }

    private static byte[] sha256(final String value)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is part of every JDK", ex);
        }
    }
}
