import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites the picocli classes of cli/target/gemma-embed.jar from class-file version 49 (Java 5, as
 * picocli ships them, for old JVMs) to version 52 with stack maps: the same instructions, checked
 * by the JVM's type-checking verifier instead of the old type-inferring one, and stored, verified
 * and linked, in the AOT cache (cli/scripts/aot-cache.sh runs next), which passes over every class
 * older than version 50 ("Old class has been linked"). A short job loads about 170 picocli classes
 * before anything else: parsed, inferred and linked in every process, they were a quarter to a
 * third of its picocli time (cli/scripts/cold-start.sh: 163 -> 129 ms and 182 -> 111 ms at load
 * 1.6-1.8). Every rewritten class is then loaded and initialised from the new jar, so a
 * class the JVM would reject fails the build, not a user's command. Run by the cli module's package
 * phase after the shade.
 *
 * <p>Usage: java cli/scripts/ModernClassFiles.java JAR
 */
public final class ModernClassFiles {

  private static final int OLD = 50; // below: no stack maps, not archived
  private static final int VERSION = 52;

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    Path tmp = Files.createTempFile(jar.toAbsolutePath().getParent(), "gemma-embed", ".jar");
    try {
      List<String> rewritten = rewrite(jar, tmp);
      check(tmp, rewritten);
      Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      System.out.println(
          "modern-class-files: " + rewritten.size() + " picocli classes now version " + VERSION);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Copies {@code jar} to {@code out} entry by entry; the names of the classes it rewrote. */
  private static List<String> rewrite(Path jar, Path out) throws IOException {
    List<String> rewritten = new ArrayList<>();
    // stack maps need the common supertypes of picocli's classes: read from the jar itself
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
        InputStream fin = Files.newInputStream(jar);
        ZipInputStream in = new ZipInputStream(fin);
        OutputStream fout = Files.newOutputStream(out);
        ZipOutputStream zout = new ZipOutputStream(fout)) {
      ClassFile cf =
          ClassFile.of(
              ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
              ClassFile.ClassHierarchyResolverOption.of(
                  ClassHierarchyResolver.defaultResolver()
                      .orElse(ClassHierarchyResolver.ofResourceParsing(loader))));
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        byte[] b = in.readAllBytes();
        String name = e.getName();
        if (name.startsWith("picocli/") && name.endsWith(".class") && major(b) < OLD) {
          b =
              cf.transformClass(
                  cf.parse(b),
                  ClassTransform.endHandler(c -> c.withVersion(VERSION, 0))
                      .andThen(ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)));
          rewritten.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
        }
        ZipEntry copy = new ZipEntry(name);
        copy.setTime(e.getTime());
        zout.putNextEntry(copy);
        zout.write(b);
        zout.closeEntry();
      }
    }
    return rewritten;
  }

  private static int major(byte[] classFile) {
    return (classFile[6] & 0xFF) << 8 | (classFile[7] & 0xFF);
  }

  /** Loads, verifies and initialises every rewritten class from {@code jar}. */
  private static void check(Path jar, List<String> classes) throws Exception {
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      for (String c : classes) {
        Class.forName(c, true, loader);
      }
    }
  }
}
