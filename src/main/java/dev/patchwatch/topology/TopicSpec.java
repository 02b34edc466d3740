package dev.patchwatch.topology;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic's name, serdes and the configs it is created with, kept together so no caller can pair a
 * name with the wrong serde.
 */
public record TopicSpec<K, V>(
    String name, Serde<K> keySerde, Serde<V> valueSerde, Map<String, String> configs) {

  public TopicSpec {
    configs = Map.copyOf(configs);
  }
}
