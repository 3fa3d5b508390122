package io.axiom.gateway.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.axiom.gateway.config.AxiomConfig;
import io.axiom.gateway.config.ConfigException;

/**
 * Finds the configuration file for a command and resolves the effective configuration.
 */
public final class ConfigResolver
{
    private ConfigResolver()
    {
    }

    /**
     * The file is, in order: {@code --config FILE}, {@code $AXIOM_CONFIG}, {@code ./axiom.yaml} when it exists, or
     * none. A file that is named but missing is an error.
     *
     * @param configFlag the {@code --config} value, or null.
     * @param env        environment variables.
     * @param flags      flag name to raw value, for the settings given on the command line.
     * @return the effective configuration.
     * @throws ConfigException when a named file is missing or any setting is bad.
     */
    public static AxiomConfig resolve(
        final Path configFlag, final Map<String, String> env, final Map<String, String> flags)
    {
        return AxiomConfig.load(configFile(configFlag, env), env, flags);
    }

    /**
     * @param configFlag the {@code --config} value, or null.
     * @param env        environment variables.
     * @return the file to read, or null for none.
     */
    public static Path configFile(final Path configFlag, final Map<String, String> env)
    {
        if (null != configFlag)
        {
            return requireFile(configFlag, "--config");
        }
        final String fromEnv = env.get(AxiomConfig.CONFIG_FILE_ENV);
        if (null != fromEnv && !fromEnv.isBlank())
        {
            return requireFile(Path.of(fromEnv.trim()), AxiomConfig.CONFIG_FILE_ENV);
        }
        final Path local = Path.of(AxiomConfig.DEFAULT_FILE_NAME);
        return Files.isRegularFile(local) ? local : null;
    }

    private static Path requireFile(final Path file, final String source)
    {
        if (!Files.isRegularFile(file))
        {
            throw new ConfigException("configuration file " + file + " (from " + source + ") does not exist or is " +
                "not a regular file");
        }
        return file;
    }
}
