package dev.patchwatch.registry;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API that the wire-format serdes need. Ids are global:
 * the same schema registered under two subjects has one id.
 */
public interface SchemaRegistry {

  /**
   * Registers {@code schema} under {@code subject}, or finds it if it is already registered there.
   *
   * @return the schema's global id
   * @throws SchemaRegistryException when the registry refuses it (e.g. incompatible) or fails
   */
  int register(String subject, Schema schema);

  /**
   * The schema with this global id.
   *
   * @throws SchemaRegistryException with error code {@link SchemaRegistryException#SCHEMA_NOT_FOUND}
   *     when no schema has this id
   */
  Schema schemaById(int id);
}
