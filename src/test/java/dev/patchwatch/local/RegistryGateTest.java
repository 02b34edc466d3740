package dev.patchwatch.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegistryGateTest {

  @Test
  void shouldRefuseEveryDelete() {
    assertThat(RegistryGate.refusal("DELETE", "/apis/ccompat/v7/subjects/patchwatch.scans-value"))
        .hasValueSatisfying(reason -> assertThat(reason).contains("deleting"));
    assertThat(RegistryGate.refusal("delete", "/apis/ccompat/v7/subjects/s/versions/1"))
        .isPresent();
    assertThat(RegistryGate.refusal("DELETE", "/apis/registry/v2/groups/default/artifacts/s"))
        .isPresent();
  }

  @Test
  void shouldRefuseCompatibilityAndModeChanges() {
    assertThat(RegistryGate.refusal("PUT", "/apis/ccompat/v7/config")).isPresent();
    assertThat(RegistryGate.refusal("PUT", "/apis/ccompat/v7/config/patchwatch.scans-value"))
        .hasValueSatisfying(reason -> assertThat(reason).contains("compatibility"));
    assertThat(RegistryGate.refusal("PUT", "/apis/ccompat/v6/mode")).isPresent();
    assertThat(RegistryGate.refusal("POST", "/apis/ccompat/v7/mode/s")).isPresent();
  }

  @Test
  void shouldRefuseWritesOutsideTheConfluentApi() {
    // Apicurio's own API sets rules (its compatibility) and replaces artifacts
    assertThat(RegistryGate.refusal("PUT", "/apis/registry/v2/admin/rules/COMPATIBILITY"))
        .isPresent();
    assertThat(RegistryGate.refusal("POST", "/apis/registry/v2/admin/import")).isPresent();
    assertThat(RegistryGate.refusal("PUT", "/apis/registry/v2/groups/g/artifacts/a")).isPresent();
  }

  @Test
  void shouldLetReadsRegistrationsAndChecksThrough() {
    assertThat(RegistryGate.refusal("GET", "/apis/ccompat/v7/subjects")).isEmpty();
    assertThat(RegistryGate.refusal("GET", "/apis/ccompat/v7/config")).isEmpty();
    assertThat(RegistryGate.refusal("GET", "/apis/registry/v2/search/artifacts")).isEmpty();
    assertThat(RegistryGate.refusal("POST", "/apis/ccompat/v7/subjects/s/versions")).isEmpty();
    assertThat(RegistryGate.refusal("POST", "/apis/ccompat/v7/subjects/s")).isEmpty();
    assertThat(
            RegistryGate.refusal(
                "POST", "/apis/ccompat/v7/compatibility/subjects/s/versions/latest"))
        .isEmpty();
  }

  @Test
  void shouldNotBeFooledByDotSegments() {
    assertThat(RegistryGate.refusal("PUT", "/apis/ccompat/v7/subjects/../config")).isPresent();
    assertThat(RegistryGate.refusal("PUT", "/apis/ccompat/v7/subjects/%2E%2E/config")).isPresent();
  }

  @Test
  void shouldLetASubjectBePinnedOnlyToTheGlobalLevelInForce() {
    // what Pipeline.provision does for every subject (SubjectCompatibility.pin)
    assertThat(RegistryGate.pinsToGlobalLevel("BACKWARD", "BACKWARD")).isTrue();
    assertThat(RegistryGate.pinsToGlobalLevel("NONE", "BACKWARD")).isFalse();
    assertThat(RegistryGate.pinsToGlobalLevel("FORWARD", "BACKWARD")).isFalse();
    assertThat(RegistryGate.pinsToGlobalLevel("NONE", "NONE")).isFalse();
    assertThat(RegistryGate.pinsToGlobalLevel("", "")).isFalse();
  }

  @Test
  void shouldReadALevelOnlyFromABodyThatHoldsNothingElse() {
    assertThat(RegistryGate.level("{\"compatibility\":\"BACKWARD\"}")).contains("BACKWARD");
    assertThat(RegistryGate.level("{\"compatibilityLevel\":\"BACKWARD\"}")).contains("BACKWARD");
    // a registry reading the last of duplicated keys would see NONE
    assertThat(RegistryGate.level("{\"compatibility\":\"BACKWARD\",\"compatibility\":\"NONE\"}"))
        .isEmpty();
    assertThat(
            RegistryGate.level("{\"compatibility\":\"BACKWARD\",\"compatibilityLevel\":\"NONE\"}"))
        .isEmpty();
    assertThat(RegistryGate.level("{\"compatibility\":1}")).isEmpty();
    assertThat(RegistryGate.level("[\"BACKWARD\"]")).isEmpty();
    assertThat(RegistryGate.level("{\"compatibility\":\"BACK")).isEmpty();
    assertThat(RegistryGate.level("")).isEmpty();
  }
}
