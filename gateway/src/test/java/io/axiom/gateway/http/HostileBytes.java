package io.axiom.gateway.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds request bodies byte by byte, so that tests can put bytes no Java string holds (invalid UTF-8, lone
 * surrogates encoded raw) where a value goes. Shared by the REST and GraphQL hostile-input tests.
 */
public final class HostileBytes
{
    private HostileBytes()
    {
    }

    /**
     * @param template ASCII text where every {@code @} stands for the value.
     * @param value    the bytes to put there.
     * @return the template with the value in place of each {@code @}.
     */
    public static byte[] fill(final String template, final byte[] value)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(template.length() + value.length);
        final String[] parts = template.split("@", -1);
        for (int i = 0; i < parts.length; i++)
        {
            if (i > 0)
            {
                out.writeBytes(value);
            }
            out.writeBytes(parts[i].getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /**
     * @param parts ASCII strings and single byte values (Integer), in order.
     * @return their bytes.
     */
    public static byte[] bytes(final Object... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final Object part : parts)
        {
            if (part instanceof String text)
            {
                out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
            }
            else
            {
                out.write((Integer)part);
            }
        }
        return out.toByteArray();
    }
}
