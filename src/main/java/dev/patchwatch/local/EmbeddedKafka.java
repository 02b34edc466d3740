package dev.patchwatch.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real single-node Kafka (KRaft, broker and controller in one process) running inside this JVM,
 * listening on 127.0.0.1 only. The data directory belongs to the broker alone ({@code metadata/},
 * {@code logs/} and a lock file) and survives {@link #close()}: starting again on it keeps every
 * topic, record and the cluster id.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final String HOST = Ports.HOST;
  private static final int NODE_ID = 1;
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** Settings that must agree with what this class computes, so overriding them is refused. */
  private static final Set<String> MANAGED =
      Set.of(
          "process.roles",
          "node.id",
          "listeners",
          "advertised.listeners",
          "controller.listener.names",
          "controller.quorum.voters",
          "controller.quorum.bootstrap.servers",
          "inter.broker.listener.name",
          "listener.security.protocol.map",
          "log.dir",
          "log.dirs",
          "metadata.log.dir");

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final FileChannel lock;
  private boolean closed;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, FileChannel lock) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.lock = lock;
  }

  /**
   * Starts (or restarts, if {@code dataDir} already holds a formatted log) a combined
   * broker+controller KRaft node on 127.0.0.1 and returns once the broker serves clients.
   *
   * @param dataDir the broker's own directory; created if missing, formatted on first use
   * @param port the client port, 0 for a free one
   * @param brokerOverrides broker settings applied over the defaults (listeners and directories are
   *     managed here and cannot be overridden)
   * @throws PortInUseException if {@code port} is taken, before anything is started
   * @throws IllegalStateException if the directory is unusable or the broker is not ready within 60
   *     s; no broker thread is left running then
   */
  public static EmbeddedKafka start(Path dataDir, int port, Map<String, String> brokerOverrides) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
    }
    for (String key : brokerOverrides.keySet()) {
      if (MANAGED.contains(key)) {
        throw new IllegalArgumentException(
            key + " is set by EmbeddedKafka and cannot be overridden");
      }
    }
    Path dir = prepareDirectory(dataDir);
    FileChannel lock = lock(dir);
    try {
      return start(dir, port, brokerOverrides, lock);
    } catch (RuntimeException e) {
      release(lock);
      throw e;
    }
  }

  private static EmbeddedKafka start(
      Path dir, int port, Map<String, String> overrides, FileChannel lock) {
    // in its own directory the metadata log is locked by Kafka as soon as the controller starts; in
    // a
    // directory shared with the partition logs only the broker locks it, after the controller
    // opened it
    Path metadataDir = dir.resolve("metadata");
    Path logDir = dir.resolve("logs");
    int brokerPort = port == 0 ? Ports.free() : Ports.requireFree(port);
    int controllerPort = Ports.free();
    KafkaConfig config =
        new KafkaConfig(
            settings(metadataDir, logDir, brokerPort, controllerPort, overrides), false);
    if (!Files.exists(metadataDir.resolve("meta.properties"))) {
      format(metadataDir, logDir);
    }

    String bootstrap = HOST + ":" + brokerPort;
    KafkaRaftServer server = null;
    try {
      server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      awaitBrokerReady(bootstrap);
    } catch (RuntimeException e) {
      if (server != null) {
        try {
          stop(server);
        } catch (RuntimeException stopFailure) {
          e.addSuppressed(stopFailure);
        }
      }
      throw startFailure(e, dir, brokerPort, controllerPort);
    }
    return new EmbeddedKafka(server, bootstrap, lock);
  }

  /** {@code "127.0.0.1:<port>"}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Stops the broker and waits until all its threads have ended. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      try {
        stop(server);
      } finally {
        release(lock);
      }
    }
  }

  private static Map<String, Object> settings(
      Path metadataDir,
      Path logDir,
      int brokerPort,
      int controllerPort,
      Map<String, String> overrides) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(NODE_ID));
    String brokerAddress = BROKER_LISTENER + "://" + HOST + ":" + brokerPort;
    props.put(
        "listeners",
        brokerAddress + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    props.put("advertised.listeners", brokerAddress);
    props.put(
        "listener.security.protocol.map",
        BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    props.put("inter.broker.listener.name", BROKER_LISTENER);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    // a static voter set keeps the controller's address out of the stored log: a restart may use a
    // new port
    props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    props.put("log.dirs", logDir.toString());
    props.put("metadata.log.dir", metadataDir.toString());

    // one node: every internal topic has one replica, and acks=all means that replica
    props.put("offsets.topic.replication.factor", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("default.replication.factor", "1");
    props.put("min.insync.replicas", "1");
    // 50 partitions (the default) per internal topic make the first group join and transaction
    // slower
    props.put("offsets.topic.num.partitions", "5");
    props.put("transaction.state.log.num.partitions", "5");
    // no point waiting for more members to join on a local broker (classic and streams protocols)
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("group.streams.initial.rebalance.delay.ms", "0");
    // topics are created on purpose, with their partition count and configs
    props.put("auto.create.topics.enable", "false");
    props.put("num.partitions", "1");
    // the log cleaner allocates this buffer on the heap up front (default 128 MiB); we share the
    // JVM
    props.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
    // After a kill the controller refuses the restarted broker's registration
    // (DUPLICATE_BROKER_REGISTRATION) until the dead incarnation's session expires: 9 s by default,
    // 11 s measured with retries. Broker and controller share this process, so a short session
    // costs one loopback heartbeat a second.
    props.put("broker.session.timeout.ms", "3000");
    props.put("broker.heartbeat.interval.ms", "1000");
    // without a bound a broker that cannot start would block start() forever
    props.put("server.max.startup.time.ms", Long.toString(START_TIMEOUT.toMillis()));
    props.putAll(overrides);
    return props;
  }

  private static Path prepareDirectory(Path dataDir) {
    return DataDirectory.preparePrivate(dataDir, "Kafka data directory").dir();
  }

  /**
   * Claims the directory before Kafka touches it. Why: a second broker on a directory in use fails
   * inside Kafka with a fatal fault, and Kafka's fault handler then halts the whole JVM.
   */
  private static FileChannel lock(Path dir) {
    Path lockFile = dir.resolve("embedded-kafka.lock");
    try {
      FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        if (channel.tryLock() != null) {
          return channel;
        }
      } catch (OverlappingFileLockException e) {
        // held by another EmbeddedKafka in this JVM
      }
      channel.close();
    } catch (IOException e) {
      throw new IllegalStateException("Kafka data directory " + dir + " is not writable: " + e, e);
    }
    throw new IllegalStateException(
        "Kafka data directory " + dir + " is in use by another broker (another local stack?)");
  }

  private static void release(FileChannel lock) {
    try {
      lock.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot release the lock on the Kafka data directory", e);
    }
  }

  /**
   * Writes meta.properties (with a new cluster id) and the bootstrap metadata: once per data
   * directory.
   */
  private static void format(Path metadataDir, Path logDir) {
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(metadataDir.toString(), logDir.toString()))
          .setMetadataLogDirectory(metadataDir.toString())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot format Kafka data directory " + logDir.getParent() + ": " + e.getMessage(), e);
    }
  }

  /** Waits until the controller lists the broker as registered and unfenced. */
  private static void awaitBrokerReady(String bootstrap) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      while (true) {
        try {
          // fenced brokers are left out unless asked for, so a non-empty answer means unfenced
          if (!admin
              .describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
              .nodes()
              .get()
              .isEmpty()) {
            return;
          }
        } catch (ExecutionException e) {
          // not reachable yet: retry until the deadline
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Kafka broker on "
                  + bootstrap
                  + " not ready after "
                  + START_TIMEOUT.toSeconds()
                  + " s");
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while waiting for the Kafka broker on " + bootstrap, e);
    }
  }

  private static RuntimeException startFailure(
      RuntimeException e, Path dir, int brokerPort, int controllerPort) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof BindException) {
        return new IllegalStateException(
            "Cannot listen on "
                + HOST
                + " (broker port "
                + brokerPort
                + ", controller port "
                + controllerPort
                + "): address already in use",
            e);
      }
    }
    if (e instanceof IllegalStateException) {
      return e;
    }
    return new IllegalStateException(
        "Kafka broker on " + dir + " failed to start: " + e.getMessage(), e);
  }

  private static void stop(KafkaRaftServer server) {
    server.shutdown();
    server.awaitShutdown();
  }
}
