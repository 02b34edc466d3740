package dev.patchwatch.cli;

import dev.patchwatch.registry.TrustedAvroPackages;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code patchwatch} executable: one subcommand per job. */
@Command(
    name = "patchwatch",
    mixinStandardHelpOptions = true,
    versionProvider = PatchWatch.Version.class,
    description = "Live remediation telemetry: how fast is the exposed population shrinking?",
    subcommands = {
      DemoCommand.class,
      SimulateCommand.class,
      LocalCommand.class,
      RunCommand.class,
      ReplayCommand.class,
      TailCommand.class,
      IngestCommand.class,
      ArchiveCommand.class,
      ReprocessCommand.class,
      SchemasCommand.class,
      AclsCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class PatchWatch implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] args) {
    // System.exit rather than return: an embedded broker's threads would keep the JVM alive.
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line with PatchWatch's error handling: one line per error; exit code 2 for bad
   * usage (the line points at the command's --help), 1 for a failure while running.
   */
  static CommandLine commandLine() {
    TrustedAvroPackages.trust("dev.patchwatch.avro", "dev.patchwatch.avro.internal");
    CommandLine cli = new CommandLine(new PatchWatch());
    cli.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine command = e.getCommandLine();
          PrintWriter err = command.getErr();
          err.println(
              "error: "
                  + oneLine(e)
                  + " (see '"
                  + command.getCommandSpec().qualifiedName()
                  + " --help')");
          err.flush();
          return command.getCommandSpec().exitCodeOnInvalidInput();
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          err.println("error: " + oneLine(e));
          if (VerboseOption.isVerbose()) {
            e.printStackTrace(err);
          }
          err.flush();
          return 1;
        });
    return cli;
  }

  private static String oneLine(Throwable e) {
    String message;
    if (e instanceof NoSuchFileException missing) {
      // its message is the bare path
      message = "no such file or directory: " + missing.getFile();
    } else if (e instanceof AccessDeniedException denied) {
      message = "permission denied: " + denied.getFile();
    } else {
      message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return (message + accessHint(e)).replace('\n', ' ');
  }

  /** What to check when Kafka refused who we are or what we asked. */
  private static String accessHint(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof AuthenticationException) {
        return " (Kafka refused these credentials: check kafka.sasl.jaas.config in --config)";
      }
      if (cause instanceof AuthorizationException) {
        return " (this principal has no ACL for it: see `patchwatch acls`)";
      }
    }
    return "";
  }

  /** The version in the jar's manifest, when run from it. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = PatchWatch.class.getPackage().getImplementationVersion();
      return new String[] {"patchwatch " + (version == null ? "(development build)" : version)};
    }
  }
}
