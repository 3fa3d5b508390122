package io.axiom.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Node packages of the tests whose independent client is a Node script (the graphql-ws client, the console's
 * Playwright check): the script and its pinned {@code package.json} are copied from the test resources under
 * {@code target/}, and {@code npm install} runs unless every pinned package is already there in its version. No npm
 * registry is a test failure with npm's output, never a skip.
 */
public final class NpmPackages
{
    private static final long INSTALL_TIMEOUT_SECONDS = 300;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private NpmPackages()
    {
    }

    /**
     * @param dirName     the directory under {@code target/}.
     * @param resourceDir the test resources' folder holding the files, ending with '/'.
     * @param files       the files to copy from it ({@code package.json} and the scripts).
     * @param pinned      package name to the version {@code package.json} pins.
     * @return the directory holding the scripts and their {@code node_modules}.
     */
    public static Path install(
        final String dirName, final String resourceDir, final List<String> files, final Map<String, String> pinned)
    {
        final Path dir = Path.of("target", dirName).toAbsolutePath();
        try
        {
            Files.createDirectories(dir);
            for (final String file : files)
            {
                copy(resourceDir + file, dir.resolve(file));
            }
            if (installed(dir, pinned))
            {
                return dir;
            }
            final Path log = dir.resolve("npm-install.log");
            final Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--prefix",
                dir.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            try
            {
                if (!npm.waitFor(INSTALL_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                {
                    fail("npm install of " + pinned + " took more than " + INSTALL_TIMEOUT_SECONDS + " s; is the " +
                        "npm registry reachable? Output:\n" + Files.readString(log));
                }
                if (npm.exitValue() != 0 || !installed(dir, pinned))
                {
                    fail("npm install of " + pinned + " failed (exit " + npm.exitValue() + "); this test needs the " +
                        "npm registry or a warm npm cache and does not skip. Output:\n" + Files.readString(log));
                }
            }
            finally
            {
                npm.destroyForcibly();
            }
            return dir;
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot run npm (are node and npm installed and on the PATH?): " + ex, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    private static boolean installed(final Path dir, final Map<String, String> pinned) throws IOException
    {
        for (final Map.Entry<String, String> e : pinned.entrySet())
        {
            final Path manifest = dir.resolve("node_modules").resolve(e.getKey()).resolve("package.json");
            if (!Files.exists(manifest) ||
                !e.getValue().equals(MAPPER.readTree(manifest.toFile()).path("version").asText()))
            {
                return false;
            }
        }
        return true;
    }

    private static void copy(final String resource, final Path target) throws IOException
    {
        try (InputStream in = NpmPackages.class.getClassLoader().getResourceAsStream(resource))
        {
            if (null == in)
            {
                throw new UncheckedIOException(new IOException("test resource " + resource + " is missing"));
            }
            final byte[] bytes = in.readAllBytes();
            if (!Files.exists(target) || !Arrays.equals(bytes, Files.readAllBytes(target)))
            {
                Files.write(target, bytes);
            }
        }
    }
}
