package dev.patchwatch.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class AvroCompatibilityTest {

  private static final Schema V1 = GenericAvroSerdeTest.V1;
  private static final Schema V2 = GenericAvroSerdeTest.V2;
  private static final Schema REQUIRED_ADDED = GenericAvroSerdeTest.REQUIRED_ADDED;

  private static List<SubjectSchema> versions(Schema... schemas) {
    return java.util.stream.IntStream.range(0, schemas.length)
        .mapToObj(i -> new SubjectSchema("s", i + 1, i + 1, schemas[i]))
        .toList();
  }

  @Test
  void shouldAcceptAnOptionalFieldBothWays() {
    assertThat(AvroCompatibility.check(CompatibilityLevel.FULL, V2, versions(V1)).compatible())
        .isTrue();
  }

  @Test
  void shouldRefuseARequiredFieldWithoutDefaultBackwardButNotForward() {
    CompatibilityResult backward =
        AvroCompatibility.check(CompatibilityLevel.BACKWARD, REQUIRED_ADDED, versions(V1));

    assertThat(backward.compatible()).isFalse();
    assertThat(backward.messages())
        .singleElement()
        .asString()
        .contains("cannot read data written with version 1")
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
        .contains("owner");
    assertThat(
            AvroCompatibility.check(CompatibilityLevel.FORWARD, REQUIRED_ADDED, versions(V1))
                .compatible())
        .isTrue();
    assertThat(
            AvroCompatibility.check(CompatibilityLevel.FULL, REQUIRED_ADDED, versions(V1))
                .compatible())
        .isFalse();
  }

  @Test
  void shouldRefuseARenamedRecord() {
    Schema renamed =
        SchemaBuilder.record("Server").namespace("test").fields().requiredString("ip").endRecord();

    CompatibilityResult result =
        AvroCompatibility.check(CompatibilityLevel.BACKWARD, renamed, versions(V1));

    assertThat(result.compatible()).isFalse();
    assertThat(result.messages()).singleElement().asString().contains("NAME_MISMATCH");
  }

  @Test
  void shouldCompareTransitiveLevelsWithEveryVersion() {
    Schema intIp =
        SchemaBuilder.record("Host").namespace("test").fields().requiredInt("ip").endRecord();
    Schema noIp = SchemaBuilder.record("Host").namespace("test").fields().endRecord();
    Schema stringIp =
        SchemaBuilder.record("Host")
            .namespace("test")
            .fields()
            .name("ip")
            .type()
            .stringType()
            .stringDefault("")
            .endRecord();

    assertThat(
            AvroCompatibility.check(CompatibilityLevel.BACKWARD, stringIp, versions(intIp, noIp))
                .compatible())
        .isTrue();
    CompatibilityResult transitive =
        AvroCompatibility.check(
            CompatibilityLevel.BACKWARD_TRANSITIVE, stringIp, versions(intIp, noIp));
    assertThat(transitive.compatible()).isFalse();
    assertThat(transitive.messages()).singleElement().asString().contains("version 1");
  }

  @Test
  void shouldAcceptAnythingUnderNoneOrAsAFirstVersion() {
    Schema string = Schema.create(Schema.Type.STRING);
    assertThat(AvroCompatibility.check(CompatibilityLevel.NONE, string, versions(V1)).compatible())
        .isTrue();
    assertThat(
            AvroCompatibility.check(CompatibilityLevel.FULL_TRANSITIVE, string, List.of())
                .compatible())
        .isTrue();
  }
}
