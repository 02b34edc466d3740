package dev.patchwatch.cli;

import dev.patchwatch.runtime.AccessPolicy;
import dev.patchwatch.runtime.Waits;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code acls}: the least-privilege ACLs of the scanner, application and reader roles. */
@Command(
    name = "acls",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the minimal Kafka ACLs of each role for this topic prefix and application id;"
          + " --apply creates them (run it with an admin's --config).",
      "scanner: writes the scans topic. application: reads scans, writes the aggregate and"
          + " rejected topics, owns its internal topics, group and transactional ids. reader:"
          + " reads the aggregate topics."
    })
final class AclsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin VerboseOption verbose;

  @Option(
      names = "--app",
      paramLabel = "PRINCIPAL",
      defaultValue = "User:patchwatch",
      description = "The application's principal (default: ${DEFAULT-VALUE}).")
  String app;

  @Option(
      names = "--scanner",
      paramLabel = "PRINCIPAL",
      defaultValue = "User:scanner",
      description = "The scanners' principal (default: ${DEFAULT-VALUE}).")
  String scanner;

  @Option(
      names = "--reader",
      paramLabel = "PRINCIPAL",
      defaultValue = "User:reader",
      description = "The readers' principal (default: ${DEFAULT-VALUE}).")
  String reader;

  @Option(names = "--apply", description = "Create the ACLs on the cluster (idempotent).")
  boolean apply;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    Config config = connection.load();
    AccessPolicy.Roles roles;
    try {
      roles = new AccessPolicy.Roles(app, scanner, reader);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    List<AclBinding> acls =
        AccessPolicy.bindings(
            config.get(Config.TOPIC_PREFIX), config.get(Config.APPLICATION_ID), roles);
    PrintWriter out = spec.commandLine().getOut();
    acls.forEach(acl -> out.println(AccessPolicy.describe(acl)));
    if (apply) {
      try (Admin admin = ConnectionOptions.cluster(config).admin()) {
        apply(admin, acls);
      }
      out.printf("created %d ACLs on %s%n", acls.size(), config.get(Config.BOOTSTRAP_SERVERS));
    }
    out.flush();
    return 0;
  }

  /** Creates the ACLs; Kafka keeps one copy of an ACL created twice. */
  static void apply(Admin admin, List<AclBinding> acls) {
    Waits.await(admin.createAcls(acls).all(), Duration.ofSeconds(30), "create ACLs");
  }
}
