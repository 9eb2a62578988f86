/**
 * Internal: not part of gemma-embed's public API (see VERSIONING.md at the repository root). {@link
 * dev.gemmaembed.core.model.ModelConfig}, which {@code Embedder.config()} returns, is public to
 * read; everything else may change in any release.
 */
package dev.gemmaembed.core.model;
