package dev.patchwatch.runtime;

import dev.patchwatch.event.TopicNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege ACLs of PatchWatch's three roles (README, Security): the scanner writes
 * scans, the application turns them into aggregates, the reader reads the aggregates. Nothing else
 * is allowed, and a broker with {@code allow.everyone.if.no.acl.found=false} refuses the rest.
 */
public final class AccessPolicy {

  /** Kafka's one cluster resource name. */
  private static final String CLUSTER = "kafka-cluster";

  private static final String ANY_HOST = "*";

  /**
   * The principals of each role, as Kafka spells them ({@code User:name}).
   *
   * @param application the Kafka Streams application ({@code run}, {@code local})
   * @param scanner publishes scans ({@code ingest}, the SDK)
   * @param reader reads results ({@code tail}, dashboards)
   */
  public record Roles(String application, String scanner, String reader) {
    public Roles {
      requirePrincipal(application, "application");
      requirePrincipal(scanner, "scanner");
      requirePrincipal(reader, "reader");
    }

    private static void requirePrincipal(String principal, String role) {
      Objects.requireNonNull(principal, role);
      int colon = principal.indexOf(':');
      if (colon <= 0 || colon == principal.length() - 1 || principal.contains("*")) {
        throw new IllegalArgumentException(
            "the "
                + role
                + " principal must be TYPE:NAME, e.g. User:"
                + role.toLowerCase(Locale.ROOT)
                + ", not '"
                + principal
                + "'");
      }
    }
  }

  private AccessPolicy() {}

  /**
   * Every ACL the roles need for PatchWatch's topics under {@code topicPrefix} and the application
   * {@code applicationId}, in a fixed order: the scanner's, the application's, the reader's.
   *
   * <ul>
   *   <li>scanner: WRITE and DESCRIBE on the scans topic, WRITE on the rejected topic (where it
   *       sends what it refuses to publish), IDEMPOTENT_WRITE on the cluster (its producer is
   *       idempotent), DESCRIBE on the aggregate and progress topics ({@code archive import} checks
   *       them before publishing);
   *   <li>application: READ on the scans topic; WRITE and READ (its HTTP view reads them back) on
   *       the aggregate and rejected topics; CREATE on those eight, so that its first start
   *       provisions them; ALL on the topics, consumer groups and transactional ids starting with
   *       {@code <application.id>-} (Kafka Streams' internal topics, the progress topic and the
   *       transactional ids are named so), and the consumer group named {@code <application.id>};
   *       ALL on {@code <prefix>.runs} and on the topics prefixed {@code <prefix>.run-} ({@code
   *       reprocess}: its run records and each run's outputs);
   *   <li>reader: READ on the six aggregate topics (counts, transitions, cohorts), and READ on the
   *       consumer groups named after itself ({@code <name>-...}).
   * </ul>
   */
  public static List<AclBinding> bindings(String topicPrefix, String applicationId, Roles roles) {
    String scans = TopicNames.scans(topicPrefix);
    List<String> aggregates =
        List.of(
            TopicNames.countsHourly(topicPrefix),
            TopicNames.countsDaily(topicPrefix),
            TopicNames.exposureDaily(topicPrefix),
            TopicNames.countsLive(topicPrefix),
            TopicNames.transitionsDaily(topicPrefix),
            TopicNames.cohortsDaily(topicPrefix));
    String rejected = TopicNames.rejected(topicPrefix);

    List<AclBinding> acls = new ArrayList<>();
    String scanner = roles.scanner();
    acls.add(allow(scanner, topic(scans), AclOperation.WRITE));
    acls.add(allow(scanner, topic(scans), AclOperation.DESCRIBE));
    // ingest and the SDK send what they refuse to the rejected topic, with its reason
    acls.add(allow(scanner, topic(rejected), AclOperation.WRITE));
    acls.add(allow(scanner, cluster(), AclOperation.IDEMPOTENT_WRITE));
    // archive import checks every topic of the installation before it publishes: metadata only
    for (String other : concat(aggregates, TopicNames.progress(applicationId))) {
      acls.add(allow(scanner, topic(other), AclOperation.DESCRIBE));
    }

    String app = roles.application();
    acls.add(allow(app, topic(scans), AclOperation.READ));
    acls.add(allow(app, topic(scans), AclOperation.CREATE));
    for (String output : concat(aggregates, rejected)) {
      acls.add(allow(app, topic(output), AclOperation.WRITE));
      acls.add(allow(app, topic(output), AclOperation.CREATE));
      // its HTTP view (dashboard, API, metrics) reads back what it published
      acls.add(allow(app, topic(output), AclOperation.READ));
    }
    // "<id>-", not "<id>": the public topics "<prefix>.scans" start with the application id when
    // the prefix and the id are the same word, as they are by default.
    String internal = applicationId + "-";
    acls.add(allow(app, prefixed(ResourceType.TOPIC, internal), AclOperation.ALL));
    acls.add(
        allow(
            app,
            new ResourcePattern(ResourceType.GROUP, applicationId, PatternType.LITERAL),
            AclOperation.ALL));
    acls.add(allow(app, prefixed(ResourceType.GROUP, internal), AclOperation.ALL));
    acls.add(allow(app, prefixed(ResourceType.TRANSACTIONAL_ID, internal), AclOperation.ALL));

    // reprocess: its record of runs, and each run's own outputs <prefix>.run-<id>.* (its
    // application id <application.id>-run-<id> is covered by the prefix above; promote's
    // transactional id is <application.id>-promote)
    acls.add(allow(app, topic(runsTopic(topicPrefix)), AclOperation.ALL));
    acls.add(
        allow(app, prefixed(ResourceType.TOPIC, runTopicPrefix(topicPrefix)), AclOperation.ALL));

    String reader = roles.reader();
    for (String aggregate : aggregates) {
      acls.add(allow(reader, topic(aggregate), AclOperation.READ));
    }
    acls.add(
        allow(reader, prefixed(ResourceType.GROUP, readerGroupPrefix(reader)), AclOperation.READ));
    return List.copyOf(acls);
  }

  /** The compacted topic of reprocessing runs' records ({@code Runs.recordsTopic}). */
  static String runsTopic(String topicPrefix) {
    return topicPrefix + ".runs";
  }

  /** What every reprocessing run's output topics start with ({@code RunId.topicPrefix}). */
  static String runTopicPrefix(String topicPrefix) {
    return topicPrefix + ".run-";
  }

  /**
   * The consumer groups a reader may use: {@code <name>-...} for the principal {@code User:name}.
   */
  public static String readerGroupPrefix(String readerPrincipal) {
    return readerPrincipal.substring(readerPrincipal.indexOf(':') + 1) + "-";
  }

  /**
   * One ACL as one line, e.g. {@code User:scanner ALLOW WRITE on TOPIC LITERAL patchwatch.scans}.
   */
  public static String describe(AclBinding binding) {
    AccessControlEntry entry = binding.entry();
    ResourcePattern pattern = binding.pattern();
    return String.format(
        Locale.ROOT,
        "%-20s %-5s %-16s %-16s %-8s %s",
        entry.principal(),
        entry.permissionType(),
        entry.operation(),
        pattern.resourceType(),
        pattern.patternType(),
        pattern.name());
  }

  private static List<String> concat(List<String> names, String more) {
    List<String> all = new ArrayList<>(names);
    all.add(more);
    return all;
  }

  private static ResourcePattern topic(String name) {
    return new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL);
  }

  private static ResourcePattern prefixed(ResourceType type, String prefix) {
    return new ResourcePattern(type, prefix, PatternType.PREFIXED);
  }

  private static ResourcePattern cluster() {
    return new ResourcePattern(ResourceType.CLUSTER, CLUSTER, PatternType.LITERAL);
  }

  private static AclBinding allow(String principal, ResourcePattern pattern, AclOperation op) {
    return new AclBinding(
        pattern, new AccessControlEntry(principal, ANY_HOST, op, AclPermissionType.ALLOW));
  }
}
