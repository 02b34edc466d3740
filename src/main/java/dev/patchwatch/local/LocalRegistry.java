package dev.patchwatch.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A real Apicurio Registry 2.6 (the {@code apicurio-registry-app} distribution from Maven Central,
 * unpacked by the build into {@code target/apicurio}) running as a child JVM on 127.0.0.1, with
 * global compatibility BACKWARD. Its Confluent-compatible API is at {@link #url()}.
 *
 * <p>Its database is an H2 file in the work directory, so schemas and their ids survive a restart
 * on the same directory, as the Kafka records framed with those ids do. Its output goes to {@code
 * apicurio.log} there, never to our console.
 *
 * <p>It never outlives this JVM: {@link #close()} stops it, a shutdown hook does on exit and
 * Ctrl-C, and if this JVM is killed outright the child sees its standard input close and exits (see
 * {@link ApicurioLauncher}).
 */
public final class LocalRegistry implements AutoCloseable {

  /**
   * System property naming the unpacked distribution; the environment variable is {@link
   * #HOME_ENV}.
   */
  public static final String HOME_PROPERTY = "patchwatch.apicurio.home";

  /** Environment variable naming the unpacked distribution. */
  public static final String HOME_ENV = "PATCHWATCH_APICURIO_HOME";

  /** The Confluent-compatible API's path on the server. */
  public static final String CCOMPAT_PATH = "/apis/ccompat/v7";

  private static final String HOST = Ports.HOST;
  private static final String LOG_FILE = "apicurio.log";
  private static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final int LOG_TAIL_LINES = 40;
  private static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";

  /**
   * The only variables the child inherits: Apicurio reads its settings from the environment too
   * (REGISTRY_*, AUTH_ENABLED, LOG_LEVEL, ...), and a developer's shell must not reconfigure it.
   */
  private static final Set<String> INHERITED_ENV =
      Set.of("PATH", "HOME", "USER", "LANG", "LC_ALL", "TZ", "TMPDIR");

  private final Process process;
  private final int port;
  private final Path logFile;
  private final Thread shutdownHook;
  private boolean closed;

  private LocalRegistry(Process process, int port, Path logFile, Thread shutdownHook) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
    this.shutdownHook = shutdownHook;
  }

  /** As {@link #start(Path, Path, int, Duration)} with a 90 s start timeout. */
  public static LocalRegistry start(Path home, Path workDir, int port) {
    return start(home, workDir, port, DEFAULT_START_TIMEOUT);
  }

  /**
   * Starts the registry and returns once it serves requests and its global compatibility is
   * BACKWARD.
   *
   * @param home the unpacked distribution, e.g. {@link #defaultHome()}
   * @param workDir the registry's own directory: {@code data/} (its database), {@code tmp/}, {@code
   *     launcher/} and {@code apicurio.log}; created if missing, reused as it is otherwise
   * @param port the HTTP port on 127.0.0.1, 0 for a free one
   * @throws PortInUseException if {@code port} is taken, before anything is started
   * @throws IllegalStateException if the registry exits or is not ready in time (with the end of
   *     its log); no process is left running then
   */
  public static LocalRegistry start(Path home, Path workDir, int port, Duration startTimeout) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
    }
    Path jar = runnerJar(home);
    Path dir = workDir.toAbsolutePath().normalize();
    if (dir.toString().indexOf(';') >= 0) {
      // the path goes into an H2 JDBC URL, where ';' starts a setting
      throw new IllegalArgumentException("the registry's directory must not contain ';': " + dir);
    }
    Path logFile = dir.resolve(LOG_FILE);
    long logStart;
    Path classes;
    DataDirectory.preparePrivate(dir, "registry directory");
    try {
      Files.createDirectories(dir.resolve("data"));
      Files.createDirectories(dir.resolve("tmp"));
      classes = extractLauncher(dir.resolve("launcher"));
      logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the registry's directory " + dir, e);
    }
    int httpPort = port == 0 ? Ports.free() : Ports.requireFree(port);

    ProcessBuilder builder =
        new ProcessBuilder(command(jar, classes, dir, httpPort))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    Map<String, String> environment = builder.environment();
    environment.keySet().retainAll(INHERITED_ENV);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Apicurio Registry from " + jar, e);
    }
    Thread hook = new Thread(() -> stop(process), "local-registry-shutdown");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (IllegalStateException e) {
      // this JVM is already exiting: nothing would stop the registry later
      stop(process);
      throw e;
    }
    LocalRegistry registry = new LocalRegistry(process, httpPort, logFile, hook);
    try {
      registry.awaitReady(startTimeout, logStart);
      registry.setGlobalCompatibility("BACKWARD");
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    return registry;
  }

  /**
   * Where the distribution is: the system property {@value #HOME_PROPERTY}, else the environment
   * variable {@value #HOME_ENV}, else {@code apicurio/} next to the jar or classes directory this
   * class was loaded from ({@code target/apicurio} beside {@code target/patchwatch.jar}).
   *
   * @throws IllegalStateException when no distribution is there
   */
  public static Path defaultHome() {
    return defaultHome(
        Optional.ofNullable(System.getProperty(HOME_PROPERTY)),
        Optional.ofNullable(System.getenv(HOME_ENV)),
        codeLocation());
  }

  static Path defaultHome(
      Optional<String> property, Optional<String> environment, Optional<Path> codeLocation) {
    Optional<String> override =
        property.filter(s -> !s.isBlank()).or(() -> environment.filter(s -> !s.isBlank()));
    Path home;
    String origin;
    if (override.isPresent()) {
      home = Path.of(override.get());
      origin =
          property.filter(s -> !s.isBlank()).isPresent()
              ? "system property " + HOME_PROPERTY
              : "environment variable " + HOME_ENV;
    } else if (codeLocation.isPresent() && codeLocation.get().getParent() != null) {
      home = codeLocation.get().toAbsolutePath().getParent().resolve("apicurio");
      origin = "next to " + codeLocation.get().getFileName();
    } else {
      throw new IllegalStateException(
          "cannot tell where Apicurio Registry is: set "
              + HOME_ENV
              + " to its unpacked distribution");
    }
    try {
      runnerJar(home);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          "no Apicurio Registry distribution at "
              + home
              + " ("
              + origin
              + "): run 'mvn package' first, which unpacks it into target/apicurio, or set "
              + HOME_ENV
              + " to an unpacked apicurio-registry-app 2.6.13.Final",
          e);
    }
    return home;
  }

  /** The Confluent-compatible API, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}. */
  public String url() {
    return "http://" + HOST + ":" + port + CCOMPAT_PATH;
  }

  public int port() {
    return port;
  }

  /** The registry process's id, to check it is gone. */
  public long pid() {
    return process.pid();
  }

  /** Where the registry's output goes. */
  public Path logFile() {
    return logFile;
  }

  /**
   * Stops the registry (politely, then forcibly) and waits until its process has ended. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already exiting: the hook is running or about to, and stops the process too
    }
    stop(process);
  }

  private static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void awaitReady(Duration timeout, long logStart) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health =
        HttpRequest.newBuilder(uri("/health/ready")).timeout(Duration.ofSeconds(5)).GET().build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw failure(
            "Apicurio Registry exited with code " + process.exitValue() + " while starting",
            logStart);
      }
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while Apicurio Registry was starting", e);
      }
      if (System.nanoTime() > deadline) {
        throw failure(
            "Apicurio Registry was not ready within " + timeout.toSeconds() + " s", logStart);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while Apicurio Registry was starting", e);
      }
    }
  }

  private void setGlobalCompatibility(String level) {
    // Apicurio's own default is NONE; the registry keeps this setting in its database.
    HttpRequest request =
        HttpRequest.newBuilder(uri(CCOMPAT_PATH + "/config"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", MEDIA_TYPE)
            .header("Accept", MEDIA_TYPE)
            .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + level + "\"}"))
            .build();
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "Apicurio Registry refused global compatibility "
                + level
                + ": HTTP "
                + response.statusCode()
                + " "
                + response.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set the registry's global compatibility", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while configuring the registry", e);
    }
  }

  private IllegalStateException failure(String what, long logStart) {
    List<String> lines = logLines(logFile, logStart);
    // Quarkus logs the cause as one ERROR line, then a stack trace that fills any tail
    List<String> errors = lines.stream().filter(line -> line.contains(" ERROR ")).limit(5).toList();
    List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
    return new IllegalStateException(
        what
            + (errors.isEmpty() ? "" : "; its errors:\n" + String.join("\n", errors))
            + "\nthe end of "
            + logFile
            + ":\n"
            + String.join("\n", tail));
  }

  private URI uri(String path) {
    return URI.create("http://" + HOST + ":" + port + path);
  }

  private static List<String> command(Path jar, Path launcherClasses, Path dir, int port) {
    String javaHome = System.getProperty("java.home");
    List<String> command = new ArrayList<>();
    command.add(Path.of(javaHome, "bin", "java").toString());
    // a small registry on a small machine: a bounded heap and one GC thread are plenty
    command.add("-Xms64m");
    command.add("-Xmx512m");
    command.add("-XX:+UseSerialGC");
    command.add("-Dquarkus.http.host=" + HOST);
    command.add("-Dquarkus.http.port=" + port);
    // the management interface is off in this build; should it ever be on, it stays local
    command.add("-Dquarkus.management.host=" + HOST);
    // As Confluent: a schema is the same schema however its JSON is spaced or ordered; Apicurio
    // otherwise compares the text, so a lookup of a reformatted schema fails and registering it
    // again makes a new version and id.
    command.add("-Dregistry.ccompat.use-canonical-hash=true");
    command.add(
        "-Dquarkus.datasource.jdbc.url=jdbc:h2:file:" + dir.resolve("data").resolve("registry"));
    command.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
    command.add("-cp");
    command.add(launcherClasses + java.io.File.pathSeparator + jar);
    command.add(ApicurioLauncher.class.getName());
    command.add(mainClass(jar));
    return command;
  }

  /**
   * The distribution's launcher: the legacy runner jar of 2.x, or the fast-jar's quarkus-run.jar.
   */
  private static Path runnerJar(Path home) {
    if (home == null || !Files.isDirectory(home)) {
      throw new IllegalStateException(home + " is not a directory");
    }
    try (Stream<Path> files = Files.list(home)) {
      Optional<Path> legacy =
          files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst();
      if (legacy.isPresent()) {
        return legacy.get();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + home, e);
    }
    for (Path fast :
        List.of(home.resolve("quarkus-run.jar"), home.resolve("quarkus-app/quarkus-run.jar"))) {
      if (Files.isRegularFile(fast)) {
        return fast;
      }
    }
    throw new IllegalStateException(home + " holds neither a *-runner.jar nor a quarkus-run.jar");
  }

  private static String mainClass(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      String main =
          file.getManifest() == null
              ? null
              : file.getManifest().getMainAttributes().getValue("Main-Class");
      if (main == null) {
        throw new IllegalStateException(jar + " names no Main-Class");
      }
      return main;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + jar, e);
    }
  }

  /** Copies the launcher's class file out of our jar (or classes directory) into {@code dir}. */
  private static Path extractLauncher(Path dir) throws IOException {
    String resource = ApicurioLauncher.class.getSimpleName() + ".class";
    Path target =
        dir.resolve(ApicurioLauncher.class.getPackageName().replace('.', '/')).resolve(resource);
    Files.createDirectories(target.getParent());
    try (InputStream in = ApicurioLauncher.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(
            "class file " + resource + " not found next to " + LocalRegistry.class);
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return dir;
  }

  private static List<String> logLines(Path logFile, long from) {
    try {
      byte[] bytes = Files.readAllBytes(logFile);
      int start = (int) Math.min(from, bytes.length);
      return new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8)
          .lines()
          .toList();
    } catch (IOException e) {
      return List.of("(cannot read it: " + e.getMessage() + ")");
    }
  }

  private static Optional<Path> codeLocation() {
    try {
      var source = LocalRegistry.class.getProtectionDomain().getCodeSource();
      return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()));
    } catch (URISyntaxException | SecurityException e) {
      return Optional.empty();
    }
  }
}
