/**
 * Configuration of an Axiom server: one {@code axiom.yaml}, overridden by the environment, overridden by flags.
 * <p>
 * Every setting is a {@link io.axiom.gateway.config.ConfigKey}: a dotted name ({@code wal.data-dir}), a type, a
 * default and a range. The same key is spelled three ways:
 * <ul>
 *     <li>in the file as nested YAML ({@code wal: {data-dir: ./data}}) or as a dotted key; {@code _} and {@code -}
 *     are interchangeable in file keys, so {@code data_dir} also works;</li>
 *     <li>in the environment as {@code AXIOM_} plus the key upper-cased with {@code .} and {@code -} turned into
 *     {@code _} ({@code AXIOM_WAL_DATA_DIR});</li>
 *     <li>as a flag {@code --} plus the key ({@code --wal.data-dir}); a few have short aliases
 *     ({@code --data-dir}, {@code --port}).</li>
 * </ul>
 * {@link io.axiom.gateway.config.AxiomConfig#load} resolves them in that order, remembers where each effective value
 * came from, and refuses, with a {@link io.axiom.gateway.config.ConfigException} naming key, source and value, an
 * unknown key, a value of the wrong type or one out of range. Nothing starts on a bad configuration.
 * <p>
 * This package knows strings, numbers and paths. It never knows the engine, HTTP or the command line: those read a
 * concluded {@link io.axiom.gateway.config.AxiomConfig}.
 */
package io.axiom.gateway.config;
