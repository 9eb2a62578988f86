package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's build commands on the machine a newcomer has: {@code java} on PATH is JDK 17 and
 * JAVA_HOME is unset. {@code ./mvnw} must find the JDK 25 itself; without one it prints one line;
 * plain Maven on JDK 17 stops at the enforcer's line instead of a JVM crash.
 */
class BuildWrapperTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path JDK17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

  @BeforeAll
  static void needsJdk17() {
    Assumptions.assumeTrue(
        Files.isExecutable(JDK17.resolve("bin/java")),
        "skipped: no JDK 17 at " + JDK17 + " to play the newcomer's default java");
  }

  @Test
  void wrapperFindsJdk25WithJdk17OnPathAndNoJavaHome() throws Exception {
    Result r = run(List.of("./mvnw", "-v"), env -> {});
    assertEquals(0, r.code, r.output);
    assertTrue(
        Pattern.compile("Java version: (2[5-9]|[3-9][0-9])").matcher(r.output).find(), r.output);
  }

  @Test
  void wrapperRunsABuildOnJdk25PastTheEnforcer() throws Exception {
    Result r = run(offline("./mvnw"), env -> {});
    assertEquals(0, r.code, r.output);
    assertFalse(r.output.contains("Unrecognized option"), r.output);
  }

  @Test
  void withoutJdk25TheWrapperPrintsOneLineNamingItAndWhereItLooked() throws Exception {
    Result r =
        run(
            List.of("./mvnw", "-v"),
            env -> {
              env.put("JAVA_HOME", JDK17.toString());
              env.put("GEMMA_EMBED_JDK_DIRS", "/nonexistent/jdk-25:" + JDK17);
            });
    assertEquals(1, r.code, r.output);
    List<String> lines = r.output.lines().toList();
    assertEquals(1, lines.size(), r.output);
    assertTrue(lines.get(0).contains("JDK 25"), r.output);
    assertTrue(
        lines.get(0).contains("/nonexistent/jdk-25") && lines.get(0).contains(JDK17.toString()),
        r.output);
  }

  @Test
  void plainMavenOnJdk17StopsAtTheEnforcer() throws Exception {
    // The wrapper's own Maven distribution, as `mvn` on PATH would be.
    Result where = run(List.of("./mvnw", "-v"), env -> env.put("MVNW_VERBOSE", "true"));
    Matcher m = Pattern.compile("found existing MAVEN_HOME at (\\S+)").matcher(where.output);
    assertTrue(m.find(), where.output);
    Path mvn = Path.of(m.group(1), "bin", "mvn");
    Result r =
        run(
            offline(mvn.toString()),
            env -> {
              env.put("JAVA_HOME", JDK17.toString());
              env.remove("MAVEN_OPTS");
            });
    assertEquals(1, r.code, r.output);
    assertTrue(
        r.output.contains("gemma-embed needs JDK 25 or newer to build; this Maven runs on 17"),
        r.output);
    assertFalse(r.output.contains("Could not create the Java Virtual Machine"), r.output);
  }

  private record Result(int code, String output) {}

  /**
   * {@code maven -o -q -N validate} on the local repositories of the build running this test (a CI
   * build installs into one of its own with ~/.m2 behind it, so ~/.m2 alone may lack the parent's
   * imported BOMs); a property Maven left unset arrives as its own {@code ${...}} text.
   */
  private static List<String> offline(String maven) {
    List<String> command = new ArrayList<>(List.of(maven, "-o", "-q", "-N"));
    for (String property : List.of("maven.repo.local", "maven.repo.local.tail")) {
      String value = System.getProperty("gemma.it." + property, "");
      if (!value.isEmpty() && !value.startsWith("${")) {
        command.add("-D" + property + "=" + value);
      }
    }
    command.add("validate");
    return command;
  }

  private static Result run(List<String> command, Consumer<Map<String, String>> edit)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.remove("JAVA_HOME");
    env.remove("GEMMA_EMBED_JDK_DIRS");
    env.put("PATH", JDK17.resolve("bin") + ":/usr/local/bin:/usr/bin:/bin");
    edit.accept(env);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out);
  }
}
