package dev.patchwatch.registry;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API PatchWatch uses. Ids are global: the same schema
 * registered under two subjects has one id. Versions count from 1 within a subject.
 */
public interface SchemaRegistry {

  /**
   * Registers {@code schema} under {@code subject}, or finds it if it is already registered there.
   *
   * @return the schema's global id
   * @throws IncompatibleSchemaException when it breaks the subject's compatibility level
   * @throws SchemaRegistryException when the registry refuses it otherwise or fails
   */
  int register(String subject, Schema schema);

  /**
   * The schema with this global id.
   *
   * @throws SchemaNotFoundException (error code {@link SchemaRegistryException#SCHEMA_NOT_FOUND})
   *     when no schema has this id
   */
  Schema schemaById(int id);

  /**
   * Whether {@code schema} is registered under {@code subject}, and as which version and id.
   *
   * @return empty when the subject does not exist or does not hold this schema
   */
  Optional<SubjectSchema> lookup(String subject, Schema schema);

  /**
   * The newest version of a subject.
   *
   * @throws SubjectNotFoundException when the subject does not exist
   */
  SubjectSchema latest(String subject);

  /**
   * One version of a subject.
   *
   * @throws SubjectNotFoundException when the subject does not exist
   * @throws VersionNotFoundException when it has no such version
   */
  SubjectSchema version(String subject, int version);

  /** Every subject, sorted. */
  List<String> subjects();

  /**
   * A subject's version numbers, oldest first.
   *
   * @throws SubjectNotFoundException when the subject does not exist
   */
  List<Integer> versions(String subject);

  /** The global compatibility level, which applies to subjects that have none of their own. */
  CompatibilityLevel compatibility();

  /**
   * The subject's own compatibility level.
   *
   * @return empty when the subject has none (the global level applies)
   */
  Optional<CompatibilityLevel> compatibility(String subject);

  /** Sets the global compatibility level. */
  void setCompatibility(CompatibilityLevel level);

  /** Sets the subject's own compatibility level. */
  void setCompatibility(String subject, CompatibilityLevel level);

  /**
   * Whether {@code schema} could be registered under {@code subject} now: checked against the
   * latest version (every version for a transitive level) with the subject's level.
   *
   * @throws SubjectNotFoundException or {@link VersionNotFoundException} when the subject has no
   *     version (registries differ in which)
   */
  CompatibilityResult testCompatibility(String subject, Schema schema);
}
