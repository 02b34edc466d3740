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
import java.util.Optional;
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
  private static final String SASL_LISTENER = "SASL_PLAINTEXT";
  private static final String SASL_SSL_LISTENER = "SASL_SSL";

  /** The SCRAM mechanism of the client listener under {@link Auth}. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

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
          "metadata.log.dir",
          "authorizer.class.name",
          "super.users",
          "allow.everyone.if.no.acl.found",
          "sasl.enabled.mechanisms",
          "sasl.mechanism.inter.broker.protocol",
          "sasl.mechanism.controller.protocol");

  /**
   * TLS on the client listener, from PEM files.
   *
   * @param keystore the broker's private key (unencrypted PKCS#8) and certificate chain
   * @param truststore the CA certificate(s) clients verify the broker with; the broker trusts it
   *     too, since it connects to its own listener (transaction markers, inter-broker requests)
   */
  public record Tls(Path keystore, Path truststore) {
    public Tls {
      keystore = keystore.toAbsolutePath();
      truststore = truststore.toAbsolutePath();
    }
  }

  /**
   * Authentication and authorisation: the client listener speaks SASL_PLAINTEXT with {@value
   * #SCRAM_MECHANISM}, or SASL_SSL when {@code tls} is given, the controller listener SASL PLAIN
   * (no TLS) for the admin alone, {@code StandardAuthorizer} decides with {@code
   * allow.everyone.if.no.acl.found=false}, and the admin is the only super user (the broker itself
   * logs in as the admin).
   *
   * @param admin the super user's name
   * @param passwords every SCRAM user's password by name, the admin's included; seeded when the
   *     directory is formatted, so later changes are not seen by an existing directory
   * @param tls TLS on the client listener; once a directory has been started with TLS, starting it
   *     without is refused
   */
  public record Auth(String admin, Map<String, String> passwords, Optional<Tls> tls) {

    /** Without TLS: SASL_PLAINTEXT. */
    public Auth(String admin, Map<String, String> passwords) {
      this(admin, passwords, Optional.empty());
    }

    public Auth {
      passwords = Map.copyOf(passwords);
      java.util.Objects.requireNonNull(tls, "tls");
      if (!passwords.containsKey(admin)) {
        throw new IllegalArgumentException("no password for the admin " + admin);
      }
      for (Map.Entry<String, String> user : passwords.entrySet()) {
        // the names and passwords go into JAAS and formatter strings, which have their own quoting
        if (!user.getKey().matches("[A-Za-z0-9_.-]+")
            || !user.getValue().matches("[A-Za-z0-9_-]+")) {
          throw new IllegalArgumentException(
              "SCRAM user names and passwords must be letters, digits, '_' or '-': "
                  + user.getKey());
        }
      }
    }

    String adminPassword() {
      return passwords.get(admin);
    }

    /** SASL_SSL or SASL_PLAINTEXT. */
    public String securityProtocol() {
      return tls.isPresent() ? SASL_SSL_LISTENER : SASL_LISTENER;
    }

    /**
     * The client properties of {@code user} on a broker started with this: SCRAM, and with TLS the
     * CA certificate as a PEM trust store (the broker's name is checked against its certificate).
     */
    public Map<String, String> clientProperties(String user) {
      String password = passwords.get(user);
      if (password == null) {
        throw new IllegalArgumentException("no such user: " + user);
      }
      Map<String, String> props = new LinkedHashMap<>();
      props.put("security.protocol", securityProtocol());
      props.put("sasl.mechanism", SCRAM_MECHANISM);
      props.put("sasl.jaas.config", scramJaas(user, password));
      tls.ifPresent(
          t -> {
            props.put("ssl.truststore.type", "PEM");
            props.put("ssl.truststore.location", t.truststore().toString());
          });
      return props;
    }
  }

  /** Marks a data directory formatted with {@link Auth}: starting it without is refused. */
  private static final String AUTH_MARKER = "auth-enabled";

  /**
   * Marks a data directory started with {@link Tls}: starting it without would silently move its
   * clients to plaintext, so it is refused.
   */
  private static final String TLS_MARKER = "tls-enabled";

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
    return start(dataDir, port, brokerOverrides, Optional.empty());
  }

  /**
   * As {@link #start(Path, int, Map)}, with authentication and ACLs when {@code auth} is given.
   *
   * @throws IllegalStateException also when a directory formatted with auth is started without, or
   *     the other way round: its users (or their absence) are fixed at format time
   */
  public static EmbeddedKafka start(
      Path dataDir, int port, Map<String, String> brokerOverrides, Optional<Auth> auth) {
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
      return start(dir, port, brokerOverrides, auth, lock);
    } catch (RuntimeException e) {
      release(lock);
      throw e;
    }
  }

  private static EmbeddedKafka start(
      Path dir, int port, Map<String, String> overrides, Optional<Auth> auth, FileChannel lock) {
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
            settings(metadataDir, logDir, brokerPort, controllerPort, overrides, auth), false);
    Path marker = dir.resolve(AUTH_MARKER);
    if (!Files.exists(metadataDir.resolve("meta.properties"))) {
      format(metadataDir, logDir, auth);
      markAuth(marker, auth.isPresent());
    } else if (Files.exists(marker) != auth.isPresent()) {
      throw new IllegalStateException(
          "Kafka data directory "
              + dir
              + (auth.isPresent()
                  ? " was created without authentication and has no users: use a new one"
                  : " was created with authentication: start it with authentication"));
    }
    markTls(dir, auth.flatMap(Auth::tls).isPresent());

    String bootstrap = HOST + ":" + brokerPort;
    KafkaRaftServer server = null;
    try {
      server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      awaitBrokerReady(bootstrap, auth);
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
      Map<String, String> overrides,
      Optional<Auth> auth) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(NODE_ID));
    String listener = auth.map(Auth::securityProtocol).orElse(BROKER_LISTENER);
    String brokerAddress = listener + "://" + HOST + ":" + brokerPort;
    props.put(
        "listeners",
        brokerAddress + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    props.put("advertised.listeners", brokerAddress);
    props.put("inter.broker.listener.name", listener);
    if (auth.isPresent()) {
      props.putAll(authSettings(auth.get()));
    } else {
      props.put(
          "listener.security.protocol.map",
          BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    }
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

  /**
   * SCRAM on the client listener, whose credentials live in the metadata log; the controller
   * listener cannot use SCRAM (the controller must authenticate before it has read that log), so it
   * takes SASL PLAIN with the admin as its only user, declared in the configuration.
   */
  private static Map<String, String> authSettings(Auth auth) {
    String listener = auth.securityProtocol();
    String sasl = listener.toLowerCase(java.util.Locale.ROOT);
    String controller = CONTROLLER_LISTENER.toLowerCase(java.util.Locale.ROOT);
    String password = auth.adminPassword();
    Map<String, String> props = new LinkedHashMap<>();
    props.put(
        "listener.security.protocol.map",
        listener + ":" + listener + "," + CONTROLLER_LISTENER + ":SASL_PLAINTEXT");
    auth.tls()
        .ifPresent(
            tls -> {
              // the listener's own prefix: its server side and the broker's client side of it
              String ssl = "listener.name." + sasl + ".ssl.";
              props.put(ssl + "keystore.type", "PEM");
              props.put(ssl + "keystore.location", tls.keystore().toString());
              props.put(ssl + "truststore.type", "PEM");
              props.put(ssl + "truststore.location", tls.truststore().toString());
            });
    props.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
    props.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
    props.put(
        "listener.name." + sasl + ".scram-sha-512.sasl.jaas.config",
        scramJaas(auth.admin(), password));
    props.put("listener.name." + controller + ".sasl.enabled.mechanisms", "PLAIN");
    props.put("sasl.mechanism.controller.protocol", "PLAIN");
    props.put(
        "listener.name." + controller + ".plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + auth.admin()
            + "\" password=\""
            + password
            + "\" user_"
            + auth.admin()
            + "=\""
            + password
            + "\";");
    props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    props.put("super.users", "User:" + auth.admin());
    props.put("allow.everyone.if.no.acl.found", "false");
    return props;
  }

  /** The JAAS line a client logs in with as {@code user}. */
  public static String scramJaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  /**
   * The client properties of {@code user} on a broker started with an {@link Auth} without TLS;
   * {@link Auth#clientProperties} covers both.
   */
  public static Map<String, String> clientProperties(String user, String password) {
    return Map.of(
        "security.protocol",
        "SASL_PLAINTEXT",
        "sasl.mechanism",
        SCRAM_MECHANISM,
        "sasl.jaas.config",
        scramJaas(user, password));
  }

  private static void markAuth(Path marker, boolean auth) {
    if (!auth) {
      return;
    }
    try {
      Files.writeString(
          marker, "users are seeded in the metadata log; start with authentication\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + marker, e);
    }
  }

  private static void markTls(Path dir, boolean tls) {
    Path marker = dir.resolve(TLS_MARKER);
    if (tls) {
      try {
        Files.writeString(
            marker,
            "clients reach this broker over TLS; start it with TLS (delete to allow less)\n");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + marker, e);
      }
    } else if (Files.exists(marker)) {
      throw new IllegalStateException(
          "Kafka data directory "
              + dir
              + " was started with TLS: start it with TLS again, or delete "
              + marker
              + " to let clients in without");
    }
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
  private static void format(Path metadataDir, Path logDir, Optional<Auth> auth) {
    try {
      Formatter formatter = new Formatter();
      auth.ifPresent(
          a ->
              formatter.setScramArguments(
                  a.passwords().entrySet().stream()
                      .sorted(Map.Entry.comparingByKey())
                      .map(
                          u ->
                              SCRAM_MECHANISM
                                  + "=[name="
                                  + u.getKey()
                                  + ",password="
                                  + u.getValue()
                                  + "]")
                      .toList()));
      formatter
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
  private static void awaitBrokerReady(String bootstrap, Optional<Auth> auth) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    auth.ifPresent(a -> config.putAll(a.clientProperties(a.admin())));
    try (Admin admin = Admin.create(config)) {
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
