/**
 * The README is executable: {@link io.axiom.gateway.docs.ReadmeExamplesTest} runs every example on it, in order,
 * against fresh in-process servers, with the real {@code curl}, {@code bash} and {@code bin/axiom}.
 * <p>
 * {@link io.axiom.gateway.docs.ReadmeExamples} finds the examples and their markers (HTML comments that say which
 * module an example needs, what exit status it expects, which server flags it needs, or why it must not run);
 * {@link io.axiom.gateway.docs.LooseMatch} holds the comparison rules ({@code ...} for any text, HTTP headers that
 * are not shown skipped, JSON subsets for WebSocket messages). An example that needs a module the build lacks fails
 * with the module's name; nothing is skipped quietly.
 */
package io.axiom.gateway.docs;
