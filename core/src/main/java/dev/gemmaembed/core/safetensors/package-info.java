/**
 * Internal: not part of gemma-embed's public API (see VERSIONING.md at the repository root). It may
 * change in any release.
 */
package dev.gemmaembed.core.safetensors;
