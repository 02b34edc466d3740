package dev.patchwatch.runtime;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.PreboundSocketFactoryManager;
import org.apache.kafka.common.test.TestKitNode;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A replicated KRaft cluster in this JVM, through Kafka's own test kit ({@link
 * KafkaClusterTestKit}, the supported way to run several nodes in-process in Kafka 4.4): one
 * controller and {@code brokers} brokers, each broker stopped and started again on its own data
 * directory and port by {@link #stop} and {@link #restart}.
 *
 * <p>Every replication default is set for a replicated cluster: topics (the internal ones of Kafka
 * Streams, the offsets and transaction logs included) get one replica per broker and need {@code
 * min.insync.replicas} of them to accept a write.
 */
final class ReplicatedKafka implements AutoCloseable {

  private final KafkaClusterTestKit kit;

  private ReplicatedKafka(KafkaClusterTestKit kit) {
    this.kit = kit;
  }

  /**
   * Formats and starts the cluster under {@code dir} and returns once every broker is registered
   * and unfenced.
   */
  static ReplicatedKafka start(Path dir, int brokers, int minInsyncReplicas) throws Exception {
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            .setCombined(false)
            .setNumControllerNodes(1)
            .setNumBrokerNodes(brokers)
            .setBaseDirectory(dir)
            .build();
    String factor = Integer.toString(brokers);
    String minIsr = Integer.toString(minInsyncReplicas);
    KafkaClusterTestKit.Builder builder =
        new KafkaClusterTestKit.Builder(nodes)
            .setConfigProp("default.replication.factor", factor)
            .setConfigProp("min.insync.replicas", minIsr)
            .setConfigProp("offsets.topic.replication.factor", factor)
            .setConfigProp("transaction.state.log.replication.factor", factor)
            .setConfigProp("transaction.state.log.min.isr", minIsr)
            // fewer coordinator partitions than the default 50: a 2-core machine runs all of it
            .setConfigProp("offsets.topic.num.partitions", "6")
            .setConfigProp("transaction.state.log.num.partitions", "6")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            // a replica that lost data must never become leader: that would lose acked records
            .setConfigProp("unclean.leader.election.enable", "false")
            .setDeleteOnClose(false);
    bindToLoopback(builder, nodes);
    KafkaClusterTestKit kit = builder.build();
    try {
      kit.format();
      kit.startup();
      kit.waitForReadyBrokers();
    } catch (Exception e) {
      try {
        close(kit);
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    return new ReplicatedKafka(kit);
  }

  /**
   * The kit binds each node's listener before starting it, on every interface (its {@code
   * PreboundSocketFactoryManager} opens {@code new InetSocketAddress(0)}); everything PatchWatch
   * starts in tests listens on 127.0.0.1 only, so the sockets are bound there first and handed to
   * the kit in its place. A restarted broker binds the same port on its listener's host, {@code
   * localhost}. Reflection, since the kit has no setting for it; an upgrade that renames the fields
   * fails here, loudly.
   */
  @SuppressWarnings("unchecked")
  private static void bindToLoopback(KafkaClusterTestKit.Builder builder, TestKitNodes nodes)
      throws ReflectiveOperationException, IOException {
    Field managerField = KafkaClusterTestKit.Builder.class.getDeclaredField("socketFactoryManager");
    managerField.setAccessible(true);
    PreboundSocketFactoryManager manager = (PreboundSocketFactoryManager) managerField.get(builder);
    Field socketsField = PreboundSocketFactoryManager.class.getDeclaredField("sockets");
    socketsField.setAccessible(true);
    Map<Integer, Map<String, ServerSocketChannel>> sockets =
        (Map<Integer, Map<String, ServerSocketChannel>>) socketsField.get(manager);
    for (TestKitNode node : nodes.controllerNodes().values()) {
      sockets
          .computeIfAbsent(node.id(), id -> new HashMap<>())
          .put(nodes.controllerListenerName().value(), loopbackSocket());
    }
    for (TestKitNode node : nodes.brokerNodes().values()) {
      sockets
          .computeIfAbsent(node.id(), id -> new HashMap<>())
          .put(nodes.brokerListenerName().value(), loopbackSocket());
    }
  }

  private static ServerSocketChannel loopbackSocket() throws IOException {
    ServerSocketChannel channel = ServerSocketChannel.open();
    channel.configureBlocking(false);
    channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return channel;
  }

  String bootstrapServers() {
    return kit.bootstrapServers();
  }

  Admin admin() {
    return kit.admin();
  }

  /** The ids of the brokers, running or not. */
  java.util.Set<Integer> brokerIds() {
    return kit.brokers().keySet();
  }

  /** The client port of broker {@code id}, to check it listens on loopback. */
  int port(int id) {
    BrokerServer broker = kit.brokers().get(id);
    return broker.boundPort(kit.nodes().brokerListenerName());
  }

  /**
   * The partitions of {@code topic} each broker leads (a broker that leads none is absent), as the
   * controller last published it.
   */
  Map<Integer, Integer> leaders(String topic) throws Exception {
    try (Admin admin = kit.admin()) {
      TopicDescription description =
          admin
              .describeTopics(java.util.List.of(topic))
              .allTopicNames()
              .get(60, TimeUnit.SECONDS)
              .get(topic);
      Map<Integer, Integer> led = new TreeMap<>();
      for (TopicPartitionInfo p : description.partitions()) {
        if (p.leader() != null && !p.leader().isEmpty()) {
          led.merge(p.leader().id(), 1, Integer::sum);
        }
      }
      return led;
    }
  }

  /**
   * Stops broker {@code id} as an operator would (a controlled shutdown: its leaderships move to
   * the other in-sync replicas first) and waits until it is down.
   */
  void stop(int id, Duration timeout) {
    BrokerServer broker = kit.brokers().get(id);
    broker.shutdown(timeout);
    broker.awaitShutdown();
  }

  /** Starts the stopped broker {@code id} again, on the same data directory and port. */
  void restart(int id) {
    kit.restartBroker(id, Map.of());
  }

  @Override
  public void close() {
    close(kit);
  }

  /** Closes the nodes, in the kit's order; a failure to close is a failure of the test. */
  private static void close(KafkaClusterTestKit kit) {
    try {
      kit.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while closing the cluster", e);
    } catch (Exception e) {
      throw new IllegalStateException("could not close the cluster", e);
    }
  }
}
