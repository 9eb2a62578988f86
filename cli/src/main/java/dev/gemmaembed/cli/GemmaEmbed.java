package dev.gemmaembed.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gemma-embed} command: a picocli root whose subcommands do the work. */
@Command(
    name = "gemma-embed",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Pure-Java EmbeddingGemma-300M text embeddings.")
public final class GemmaEmbed implements Runnable {

  /**
   * The subcommands, in the order help lists them. Registered with code rather than the
   * annotation's {@code subcommands}, so that a process builds only the one it runs (see {@link
   * #newCommandLine(CliEnvironment, String[])}).
   */
  private static final List<Class<?>> SUBCOMMANDS =
      List.of(
          EmbedCommand.class,
          SimilarityCommand.class,
          SearchCommand.class,
          PullCommand.class,
          SynthCommand.class,
          QuantizeCommand.class,
          InspectCommand.class,
          TokenizeCommand.class,
          BenchCommand.class,
          ServeCommand.class,
          CommandLine.HelpCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Inherited by every subcommand; read by {@link ErrorHandler} from the parse result. */
  @CommandLine.Option(
      names = ErrorHandler.VERBOSE,
      scope = CommandLine.ScopeType.INHERIT,
      description = "On errors, print the stack trace too.")
  boolean verbose;

  private final CliEnvironment environment;

  public GemmaEmbed() {
    this(CliEnvironment.system());
  }

  GemmaEmbed(CliEnvironment environment) {
    this.environment = environment;
  }

  /** Environment variables and standard streams, for the subcommands. */
  CliEnvironment environment() {
    return environment;
  }

  private static String name(Class<?> subcommand) {
    return subcommand.getAnnotation(Command.class).name();
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    StartupTrace.mark("main");
    CliEnvironment environment = CliEnvironment.system();
    UserCache.enableTokenizerCache(environment);
    int status = newCommandLine(environment, args).execute(args);
    StartupTrace.mark("exit");
    System.exit(status);
  }

  /** Builds the configured command line; tests drive this directly. */
  public static CommandLine newCommandLine() {
    return newCommandLine(CliEnvironment.system());
  }

  /**
   * The command line reading {@code environment} instead of the process's: one error line and a
   * distinct exit code per failure ({@link ExitCodes}), UTF-8 help and errors on its streams.
   */
  public static CommandLine newCommandLine(CliEnvironment environment) {
    return newCommandLine(environment, new String[0]);
  }

  /**
   * {@link #newCommandLine(CliEnvironment)} for running {@code args}: when the first argument names
   * a subcommand, only that one is built. Building a command's model reflects over its options and
   * mixins, before the JIT has compiled anything: a few hundred milliseconds for all of them, most
   * of a short job's time in picocli. Anything else (no arguments, {@code help}, {@code --version},
   * a typo) gets every subcommand, for the help and the suggestions.
   */
  static CommandLine newCommandLine(CliEnvironment environment, String[] args) {
    CommandLine cl = new CommandLine(new GemmaEmbed(environment));
    String first = args.length > 0 ? args[0] : null;
    boolean named =
        SUBCOMMANDS.stream().anyMatch(c -> name(c).equals(first)) && !"help".equals(first);
    for (Class<?> c : SUBCOMMANDS) {
      if (!named || name(c).equals(first)) {
        cl.addSubcommand(name(c), c);
      }
    }
    ErrorHandler errors = new ErrorHandler();
    cl.setExecutionExceptionHandler(errors);
    cl.setParameterExceptionHandler(errors);
    cl.setExecutionStrategy(
        parseResult -> {
          try {
            return new CommandLine.RunLast().execute(parseResult);
          } catch (OutOfMemoryError e) {
            return errors.handleOutOfMemory(e, parseResult);
          }
        });
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(
        new PrintWriter(
            new OutputStreamWriter(environment.stdout(), StandardCharsets.UTF_8), true));
    cl.setErr(
        new PrintWriter(
            new OutputStreamWriter(environment.stderr(), StandardCharsets.UTF_8), true));
    cl.getCommandSpec().usageMessage().footer(ExitCodes.HELP);
    return cl;
  }
}
