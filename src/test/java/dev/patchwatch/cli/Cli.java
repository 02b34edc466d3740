package dev.patchwatch.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs a command in-process, as the executable would, and captures what it prints. */
record Cli(int exitCode, String out, String err) {

  /**
   * Runs with {@code args}, each a String or a String[] (such as {@link #connection}) spliced in.
   */
  static Cli run(Object... args) {
    List<String> flat = new ArrayList<>();
    for (Object a : args) {
      if (a instanceof String[] many) {
        flat.addAll(List.of(many));
      } else {
        flat.add((String) a);
      }
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = PatchWatch.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(flat.toArray(String[]::new));
    return new Cli(code, out.toString(), err.toString());
  }

  /** The options that point a client command at a cluster, a registry and a topic prefix. */
  static String[] connection(String bootstrapServers, String registryUrl, String prefix) {
    return new String[] {
      "--bootstrap-servers",
      bootstrapServers,
      "--registry-url",
      registryUrl,
      "--topic-prefix",
      prefix
    };
  }
}
