package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.registry.InMemorySchemaRegistry;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/**
 * Pins every node, store and topic name: renaming one would orphan state or a repartition topic of
 * a running application, so it must be a deliberate change here.
 */
class TopologyNamesTest {

  private final TopologySettings settings = TopologySettings.defaults(3);
  private final Topology topology =
      PatchWatchTopology.build(
          settings,
          Topics.create(
              settings.topicPrefix(), settings.applicationId(), new InMemorySchemaRegistry()));

  @Test
  void shouldNameEveryNodeExplicitly() {
    Set<String> nodes = new TreeSet<>();
    Set<String> stores = new TreeSet<>();
    Set<String> topics = new TreeSet<>();
    TopologyDescription description = topology.describe();
    for (TopologyDescription.Subtopology sub : description.subtopologies()) {
      for (TopologyDescription.Node node : sub.nodes()) {
        nodes.add(node.name());
        if (node instanceof TopologyDescription.Processor p) {
          stores.addAll(p.stores());
        }
        if (node instanceof TopologyDescription.Source s) {
          topics.addAll(s.topicSet());
        }
        if (node instanceof TopologyDescription.Sink s && s.topic() != null) {
          topics.add(s.topic());
        }
      }
    }
    for (TopologyDescription.GlobalStore global : description.globalStores()) {
      nodes.add(global.source().name());
      nodes.add(global.processor().name());
      stores.addAll(global.processor().stores());
      topics.addAll(global.source().topicSet());
    }
    assertThat(nodes)
        .containsExactlyInAnyOrder(
            "scans-source",
            "host-state-processor",
            "rejected-sink",
            "progress-sink",
            "partials-repartition-filter",
            "partials-repartition-sink",
            "partials-repartition-source",
            "aggregate-processor",
            "finals-sink",
            "live-sink",
            "transitions-sink",
            "cohorts-sink",
            "all-partitions-progress-source",
            "all-partitions-progress");
    assertThat(stores)
        .containsExactlyInAnyOrder(
            "host-days",
            "host-histories",
            "partition-progress",
            "aggregate-counts",
            "aggregate-progress",
            "aggregate-commit",
            "all-partitions-progress");
    assertThat(topics)
        .containsExactlyInAnyOrder(
            "patchwatch.scans",
            "patchwatch.rejected",
            "patchwatch-progress",
            "partials-repartition",
            "patchwatch.counts.live",
            "patchwatch.transitions.daily",
            "patchwatch.cohorts.daily");
  }

  @Test
  void shouldStartWithExplicitNamingEnforced() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "names-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    // Throws if any internal topic or store name was generated.
    new TopologyTestDriver(topology, props).close();
  }
}
