/**
 * Internal: not part of gemma-embed's public API (see VERSIONING.md at the repository root). {@link
 * dev.gemmaembed.kernels.WeightType}, which {@code LoadOptions} takes, is public; everything else
 * may change in any release.
 */
package dev.gemmaembed.kernels;
