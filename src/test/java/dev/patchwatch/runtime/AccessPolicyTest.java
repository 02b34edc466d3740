package dev.patchwatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwatch.replay.RunId;
import dev.patchwatch.replay.Runs;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {

  private static final AccessPolicy.Roles ROLES =
      new AccessPolicy.Roles("User:app", "User:scan", "User:read");

  private static final List<AclBinding> ACLS =
      AccessPolicy.bindings("patchwatch", "patchwatch", ROLES);

  private static Set<String> of(String principal) {
    return ACLS.stream()
        .filter(acl -> acl.entry().principal().equals(principal))
        .map(AccessPolicy::describe)
        .map(line -> line.replaceAll(" +", " "))
        .collect(Collectors.toSet());
  }

  @Test
  void shouldLetTheScannerOnlyWriteScansAndRejections() {
    assertThat(of("User:scan"))
        .containsExactlyInAnyOrder(
            "User:scan ALLOW WRITE TOPIC LITERAL patchwatch.scans",
            "User:scan ALLOW DESCRIBE TOPIC LITERAL patchwatch.scans",
            "User:scan ALLOW WRITE TOPIC LITERAL patchwatch.rejected",
            "User:scan ALLOW IDEMPOTENT_WRITE CLUSTER LITERAL kafka-cluster",
            // archive import checks every topic before publishing: metadata, no read, no write
            "User:scan ALLOW DESCRIBE TOPIC LITERAL patchwatch.counts.hourly",
            "User:scan ALLOW DESCRIBE TOPIC LITERAL patchwatch.counts.daily",
            "User:scan ALLOW DESCRIBE TOPIC LITERAL patchwatch.exposure.daily",
            "User:scan ALLOW DESCRIBE TOPIC LITERAL patchwatch.counts.live",
            "User:scan ALLOW DESCRIBE TOPIC LITERAL patchwatch.transitions.daily",
            "User:scan ALLOW DESCRIBE TOPIC LITERAL patchwatch.cohorts.daily",
            "User:scan ALLOW DESCRIBE TOPIC LITERAL patchwatch-progress");
  }

  @Test
  void shouldLetTheApplicationReadScansWriteAndReadBackResultsAndOwnItsInternalResources() {
    assertThat(of("User:app"))
        .containsExactlyInAnyOrder(
            "User:app ALLOW READ TOPIC LITERAL patchwatch.scans",
            "User:app ALLOW CREATE TOPIC LITERAL patchwatch.scans",
            "User:app ALLOW WRITE TOPIC LITERAL patchwatch.counts.hourly",
            "User:app ALLOW CREATE TOPIC LITERAL patchwatch.counts.hourly",
            "User:app ALLOW READ TOPIC LITERAL patchwatch.counts.hourly",
            "User:app ALLOW WRITE TOPIC LITERAL patchwatch.counts.daily",
            "User:app ALLOW CREATE TOPIC LITERAL patchwatch.counts.daily",
            "User:app ALLOW READ TOPIC LITERAL patchwatch.counts.daily",
            "User:app ALLOW WRITE TOPIC LITERAL patchwatch.exposure.daily",
            "User:app ALLOW CREATE TOPIC LITERAL patchwatch.exposure.daily",
            "User:app ALLOW READ TOPIC LITERAL patchwatch.exposure.daily",
            "User:app ALLOW WRITE TOPIC LITERAL patchwatch.counts.live",
            "User:app ALLOW CREATE TOPIC LITERAL patchwatch.counts.live",
            "User:app ALLOW READ TOPIC LITERAL patchwatch.counts.live",
            "User:app ALLOW WRITE TOPIC LITERAL patchwatch.transitions.daily",
            "User:app ALLOW CREATE TOPIC LITERAL patchwatch.transitions.daily",
            "User:app ALLOW READ TOPIC LITERAL patchwatch.transitions.daily",
            "User:app ALLOW WRITE TOPIC LITERAL patchwatch.cohorts.daily",
            "User:app ALLOW CREATE TOPIC LITERAL patchwatch.cohorts.daily",
            "User:app ALLOW READ TOPIC LITERAL patchwatch.cohorts.daily",
            "User:app ALLOW WRITE TOPIC LITERAL patchwatch.rejected",
            "User:app ALLOW CREATE TOPIC LITERAL patchwatch.rejected",
            "User:app ALLOW READ TOPIC LITERAL patchwatch.rejected",
            "User:app ALLOW ALL TOPIC PREFIXED patchwatch-",
            "User:app ALLOW ALL GROUP LITERAL patchwatch",
            "User:app ALLOW ALL GROUP PREFIXED patchwatch-",
            "User:app ALLOW ALL TRANSACTIONAL_ID PREFIXED patchwatch-",
            "User:app ALLOW ALL TOPIC LITERAL patchwatch.runs",
            "User:app ALLOW ALL TOPIC PREFIXED patchwatch.run-");
  }

  @Test
  void shouldCoverEveryResourceOfAReprocessingRunForTheApplicationOnly() {
    RunId run = new RunId("20261201-054429");
    Runs runs = new Runs(null, "patchwatch", "patchwatch", Duration.ofSeconds(1));
    String runPrefix = run.topicPrefix("patchwatch");
    String runApplication = run.applicationId("patchwatch");
    for (String topic :
        List.of(
            runs.recordsTopic(),
            runPrefix + ".counts.daily",
            runPrefix + ".counts.live",
            runPrefix + ".rejected",
            runApplication + "-progress",
            runApplication + "-partials-repartition")) {
      assertThat(allowed("User:app", ResourceType.TOPIC, topic)).as(topic).isTrue();
      assertThat(allowed("User:read", ResourceType.TOPIC, topic)).as(topic).isFalse();
      assertThat(allowed("User:scan", ResourceType.TOPIC, topic)).as(topic).isFalse();
    }
    assertThat(allowed("User:app", ResourceType.GROUP, runApplication)).isTrue();
    assertThat(allowed("User:app", ResourceType.TRANSACTIONAL_ID, runApplication + "-0_1"))
        .isTrue();
    // promote writes the live topics in transactions of its own
    assertThat(allowed("User:app", ResourceType.TRANSACTIONAL_ID, "patchwatch-promote")).isTrue();
  }

  /** Whether some ACL of the principal matches the resource (any operation). */
  private static boolean allowed(String principal, ResourceType type, String name) {
    return ACLS.stream()
        .filter(acl -> acl.entry().principal().equals(principal))
        .filter(acl -> acl.pattern().resourceType() == type)
        .anyMatch(
            acl ->
                acl.pattern().patternType() == PatternType.PREFIXED
                    ? name.startsWith(acl.pattern().name())
                    : name.equals(acl.pattern().name()));
  }

  @Test
  void shouldLetTheReaderOnlyReadTheAggregates() {
    assertThat(of("User:read"))
        .containsExactlyInAnyOrder(
            "User:read ALLOW READ TOPIC LITERAL patchwatch.counts.hourly",
            "User:read ALLOW READ TOPIC LITERAL patchwatch.counts.daily",
            "User:read ALLOW READ TOPIC LITERAL patchwatch.exposure.daily",
            "User:read ALLOW READ TOPIC LITERAL patchwatch.counts.live",
            "User:read ALLOW READ TOPIC LITERAL patchwatch.transitions.daily",
            "User:read ALLOW READ TOPIC LITERAL patchwatch.cohorts.daily",
            "User:read ALLOW READ GROUP PREFIXED read-");
  }

  @Test
  void shouldNotCoverThePublicTopicsWithTheApplicationsPrefixWhenPrefixAndIdAreOneWord() {
    // the default prefix and application id are both "patchwatch": "patchwatch.scans" starts with
    // "patchwatch", so a prefix of the bare id would hand the application ALL on every public topic
    ACLS.stream()
        .filter(acl -> acl.pattern().patternType() == PatternType.PREFIXED)
        .forEach(
            acl -> {
              assertThat("patchwatch.scans").doesNotStartWith(acl.pattern().name());
              assertThat("patchwatch.counts.daily").doesNotStartWith(acl.pattern().name());
            });
  }

  @Test
  void shouldAllowOnlyAndNeverUseWildcards() {
    assertThat(ACLS).hasSize(47);
    assertThat(ACLS)
        .allSatisfy(
            acl -> {
              assertThat(acl.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
              assertThat(acl.pattern().name()).isNotEqualTo("*");
              assertThat(acl.entry().principal()).doesNotContain("*");
            });
    assertThat(ACLS)
        .filteredOn(acl -> acl.pattern().resourceType() == ResourceType.CLUSTER)
        .extracting(acl -> acl.entry().operation())
        .containsExactly(AclOperation.IDEMPOTENT_WRITE);
  }

  @Test
  void shouldFollowTheConfiguredPrefixAndApplicationId() {
    List<AclBinding> acls = AccessPolicy.bindings("acme", "acme-pw", ROLES);
    assertThat(acls)
        .extracting(acl -> acl.pattern().name())
        .allMatch(
            name ->
                name.startsWith("acme") || name.equals("kafka-cluster") || name.equals("read-"));
    assertThat(acls).extracting(acl -> acl.pattern().name()).contains("acme-pw-", "acme.scans");
  }

  @Test
  void shouldRefuseAPrincipalWithoutType() {
    assertThatThrownBy(() -> new AccessPolicy.Roles("patchwatch", "User:s", "User:r"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TYPE:NAME");
    assertThatThrownBy(() -> new AccessPolicy.Roles("User:*", "User:s", "User:r"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
