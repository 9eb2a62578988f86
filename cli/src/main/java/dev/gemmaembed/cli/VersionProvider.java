package dev.gemmaembed.cli;

import picocli.CommandLine;

/** Reports the version recorded in the jar manifest (or "dev" when run from classes). */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = GemmaEmbed.class.getPackage().getImplementationVersion();
    return new String[] {"gemma-embed " + (v == null ? "dev" : v), "Java " + Runtime.version()};
  }
}
