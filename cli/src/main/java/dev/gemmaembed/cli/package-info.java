/**
 * Internal: not part of gemma-embed's public API (see VERSIONING.md at the repository root). The
 * command line (flags, output formats, exit codes) is versioned; these classes may change in any
 * release.
 */
package dev.gemmaembed.cli;
