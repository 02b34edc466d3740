package dev.patchwatch.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/** A registry held in memory, for unit tests: ids are global and a schema keeps its id. */
public final class InMemorySchemaRegistry implements SchemaRegistry {

  private final List<Schema> byId = new ArrayList<>();
  private final Map<String, Integer> idByCanonicalForm = new HashMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();

  @Override
  public synchronized int register(String subject, Schema schema) {
    Integer id = idByCanonicalForm.get(schema.toString());
    if (id == null) {
      byId.add(schema);
      id = byId.size();
      idByCanonicalForm.put(schema.toString(), id);
    }
    List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!versions.contains(id)) {
      versions.add(id);
    }
    return id;
  }

  @Override
  public synchronized Schema schemaById(int id) {
    if (id < 1 || id > byId.size()) {
      throw new SchemaRegistryException(
          SchemaRegistryException.SCHEMA_NOT_FOUND, "schema " + id + " not found");
    }
    return byId.get(id - 1);
  }

  /** Subjects registered so far, for tests. */
  public synchronized List<String> subjects() {
    return versionsBySubject.keySet().stream().sorted().toList();
  }
}
