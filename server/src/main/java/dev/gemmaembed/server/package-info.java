/**
 * Internal: not part of gemma-embed's public API (see VERSIONING.md at the repository root). The
 * HTTP routes are versioned as the command line is; these classes may change in any release: run
 * the server with {@code gemma-embed serve}.
 */
package dev.gemmaembed.server;
