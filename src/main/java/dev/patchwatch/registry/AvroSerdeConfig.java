package dev.patchwatch.registry;

import java.util.Objects;

/**
 * How a wire-format serializer picks the schema it writes with and its id.
 *
 * @param subjectNameStrategy the subject the schema is registered and looked up under
 * @param autoRegister register the record's schema (refused if incompatible); when false, the
 *     schema must already be registered under the subject, or serializing fails
 * @param useLatestVersion write with the subject's latest registered schema (fetched once per
 *     serde), the record converted to it by Avro's schema resolution; requires {@code autoRegister}
 *     false, as in Confluent's serializers
 */
public record AvroSerdeConfig(
    SubjectNameStrategy subjectNameStrategy, boolean autoRegister, boolean useLatestVersion) {

  /** TopicName strategy, auto-register on, latest version off: Confluent's defaults. */
  public static final AvroSerdeConfig DEFAULT =
      new AvroSerdeConfig(SubjectNameStrategy.TOPIC_NAME, true, false);

  public AvroSerdeConfig {
    Objects.requireNonNull(subjectNameStrategy, "subjectNameStrategy");
    if (autoRegister && useLatestVersion) {
      throw new IllegalArgumentException(
          "useLatestVersion writes with an already registered schema: turn autoRegister off");
    }
  }

  public AvroSerdeConfig withSubjectNameStrategy(SubjectNameStrategy strategy) {
    return new AvroSerdeConfig(strategy, autoRegister, useLatestVersion);
  }

  /** Auto-registration on also turns latest version off, the only combination that makes sense. */
  public AvroSerdeConfig withAutoRegister(boolean autoRegister) {
    return new AvroSerdeConfig(
        subjectNameStrategy, autoRegister, useLatestVersion && !autoRegister);
  }

  /** Latest version on also turns auto-registration off, the only combination that makes sense. */
  public AvroSerdeConfig withUseLatestVersion(boolean useLatestVersion) {
    return new AvroSerdeConfig(
        subjectNameStrategy, autoRegister && !useLatestVersion, useLatestVersion);
  }
}
