package dev.patchwatch.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.avro.Schema;

/**
 * A registry held in memory, for tests: ids are global and a schema keeps its id, and registering
 * enforces the compatibility level (BACKWARD by default, as Confluent's and PatchWatch's local
 * registry) with {@link AvroCompatibility}, so tests see the refusals a real registry gives.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

  private final List<Schema> byId = new ArrayList<>();
  private final Map<String, Integer> idByCanonicalForm = new HashMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();
  private final Map<String, CompatibilityLevel> levelBySubject = new HashMap<>();
  private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;

  @Override
  public synchronized int register(String subject, Schema schema) {
    Optional<SubjectSchema> existing = lookup(subject, schema);
    if (existing.isPresent()) {
      return existing.get().id();
    }
    List<SubjectSchema> previous = history(subject);
    CompatibilityLevel level = levelBySubject.getOrDefault(subject, globalLevel);
    CompatibilityResult result = AvroCompatibility.check(level, schema, previous);
    if (!result.compatible()) {
      throw new IncompatibleSchemaException(
          SchemaRegistryException.INCOMPATIBLE_SCHEMA,
          "schema for subject "
              + subject
              + " is incompatible with "
              + level
              + ": "
              + String.join("; ", result.messages()));
    }
    Integer id = idByCanonicalForm.get(schema.toString());
    if (id == null) {
      byId.add(schema);
      id = byId.size();
      idByCanonicalForm.put(schema.toString(), id);
    }
    versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
    return id;
  }

  @Override
  public synchronized Schema schemaById(int id) {
    if (id < 1 || id > byId.size()) {
      throw new SchemaNotFoundException(
          SchemaRegistryException.SCHEMA_NOT_FOUND, "schema " + id + " not found");
    }
    return byId.get(id - 1);
  }

  @Override
  public synchronized Optional<SubjectSchema> lookup(String subject, Schema schema) {
    Integer id = idByCanonicalForm.get(schema.toString());
    List<Integer> ids = versionsBySubject.getOrDefault(subject, List.of());
    int index = id == null ? -1 : ids.indexOf(id);
    return index < 0
        ? Optional.empty()
        : Optional.of(new SubjectSchema(subject, index + 1, id, schema));
  }

  @Override
  public synchronized SubjectSchema latest(String subject) {
    List<Integer> ids = idsOf(subject);
    return version(subject, ids.size());
  }

  @Override
  public synchronized SubjectSchema version(String subject, int version) {
    List<Integer> ids = idsOf(subject);
    if (version < 1 || version > ids.size()) {
      throw new VersionNotFoundException(
          SchemaRegistryException.VERSION_NOT_FOUND,
          "subject " + subject + " has no version " + version);
    }
    int id = ids.get(version - 1);
    return new SubjectSchema(subject, version, id, byId.get(id - 1));
  }

  /** Subjects registered so far, sorted. */
  @Override
  public synchronized List<String> subjects() {
    return versionsBySubject.keySet().stream().sorted().toList();
  }

  @Override
  public synchronized List<Integer> versions(String subject) {
    return IntStream.rangeClosed(1, idsOf(subject).size()).boxed().toList();
  }

  @Override
  public synchronized CompatibilityLevel compatibility() {
    return globalLevel;
  }

  @Override
  public synchronized Optional<CompatibilityLevel> compatibility(String subject) {
    return Optional.ofNullable(levelBySubject.get(subject));
  }

  @Override
  public synchronized void setCompatibility(CompatibilityLevel level) {
    globalLevel = level;
  }

  @Override
  public synchronized void setCompatibility(String subject, CompatibilityLevel level) {
    levelBySubject.put(subject, level);
  }

  @Override
  public synchronized CompatibilityResult testCompatibility(String subject, Schema schema) {
    idsOf(subject);
    return AvroCompatibility.check(
        levelBySubject.getOrDefault(subject, globalLevel), schema, history(subject));
  }

  private List<Integer> idsOf(String subject) {
    List<Integer> ids = versionsBySubject.get(subject);
    if (ids == null) {
      throw new SubjectNotFoundException(
          SchemaRegistryException.SUBJECT_NOT_FOUND, "subject " + subject + " not found");
    }
    return ids;
  }

  private List<SubjectSchema> history(String subject) {
    List<Integer> ids = versionsBySubject.getOrDefault(subject, List.of());
    List<SubjectSchema> versions = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      versions.add(new SubjectSchema(subject, i + 1, ids.get(i), byId.get(ids.get(i) - 1)));
    }
    return versions;
  }
}
