/**
 * The operator's side of the {@code axiom} command: commands that talk to a running server over its REST API.
 * <p>
 * {@code workflow list|inspect|events|replay|create|advance|cancel}, {@code tasks}, {@code metrics},
 * {@code chaos run}, {@code verify} and {@code snapshot take|list} each extend {@link io.axiom.gateway.cli.client.ClientCommand}, which owns
 * what they share: the options (accepted after the command and, through the top command, before it)
 * {@code --server URL} (else {@code $AXIOM_SERVER}, else
 * {@code http://localhost:4000}), {@code --token T} (else {@code $AXIOM_API_TOKEN}, sent as
 * {@code Authorization: Bearer T}) and {@code --json} (print the server's JSON, pretty), one
 * {@link io.axiom.gateway.cli.client.AxiomClient} per run ({@code HttpURLConnection}, bounded timeouts), and
 * the exit codes: 0 done; 1 when the server refused (its problem printed as {@code axiom: CODE: detail} on stderr),
 * could not be reached (the message names the URL), or, for {@code replay} and {@code verify}, reported a
 * difference or a violation; 2 for bad usage. {@code verify --data-dir D} is the one that needs no server: it replays
 * a data directory itself ({@link io.axiom.core.LogVerifier}), read-only, and prints the same report.
 * {@code cluster status|snapshot} ({@link io.axiom.gateway.cli.client.ClusterCommand}) show one cluster member's view
 * and take a cluster snapshot through the leader; {@code cluster status --dir D} needs no server either: it reads a
 * member's directory from outside ({@code ClusterStatus.read}), so a stopped member shows {@code not running}.
 * <p>
 * The commands never invent an answer: an endpoint the server does not offer (chaos, and verify or metrics on a
 * build without those capabilities) is the server's 404 problem, printed as it came, with exit 1. Tables are for people
 * ({@link io.axiom.gateway.cli.client.Views}: aligned columns, no colours, every time ISO-8601 UTC with milliseconds);
 * {@code --json} is for scripts.
 */
package io.axiom.gateway.cli.client;
