package dev.patchwatch.registry;

import org.apache.avro.Schema;

/** Which subject a writer's schema is registered and looked up under, as Confluent's strategies. */
public enum SubjectNameStrategy {
  /** {@code <topic>-key} or {@code <topic>-value}: one record type per topic. */
  TOPIC_NAME,
  /** The record's full name: one record type in many topics, checked once. */
  RECORD_NAME,
  /** {@code <topic>-<record full name>}: several record types in one topic. */
  TOPIC_RECORD_NAME;

  public String subject(String topic, boolean isKey, Schema schema) {
    return switch (this) {
      case TOPIC_NAME -> topic + (isKey ? "-key" : "-value");
      case RECORD_NAME -> schema.getFullName();
      case TOPIC_RECORD_NAME -> topic + "-" + schema.getFullName();
    };
  }
}
