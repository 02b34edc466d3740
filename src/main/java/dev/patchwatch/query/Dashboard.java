package dev.patchwatch.query;

import dev.patchwatch.avro.Granularity;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.topology.Topics;
import dev.patchwatch.topology.TopologySettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The HTTP side of a running PatchWatch: the view of the aggregate topics, the API over it, the
 * metrics and the server, started and closed together.
 */
public final class Dashboard implements AutoCloseable {

  private final AggregateView view;
  private final ViewMetrics metrics;
  private final HttpView server;

  private Dashboard(AggregateView view, ViewMetrics metrics, HttpView server) {
    this.view = view;
    this.metrics = metrics;
    this.server = server;
  }

  /**
   * Starts following {@code topics} on {@code cluster} and serving them.
   *
   * @param streams this instance's Kafka Streams, for its metrics; empty when it runs elsewhere
   * @param references figures to show beside the curves (the demo's published ones)
   * @throws IllegalStateException when the address cannot be bound, naming it
   */
  public static Dashboard start(
      HttpView.Settings settings,
      Cluster cluster,
      Topics topics,
      TopologySettings topology,
      Optional<KafkaStreams> streams,
      List<QueryApi.Reference> references,
      Clock clock) {
    AggregateView view = AggregateView.start(cluster, topics);
    ViewMetrics metrics = null;
    try {
      PrometheusMeterRegistry registry = HttpView.newRegistry();
      Map<Granularity, Duration> graces = new EnumMap<>(Granularity.class);
      for (Granularity g : Granularity.values()) {
        graces.put(g, topology.grace(g));
      }
      metrics =
          ViewMetrics.bind(registry, view, topology.inputPartitions(), graces, streams, clock);
      QueryApi api = new QueryApi(view, topology, clock, references);
      HttpView server = HttpView.start(settings, api, registry);
      return new Dashboard(view, metrics, server);
    } catch (IOException | RuntimeException e) {
      if (metrics != null) {
        metrics.close();
      }
      view.close();
      String where = settings.host() + ":" + settings.port();
      if (e instanceof BindException) {
        throw new IllegalStateException(
            "cannot serve HTTP on "
                + where
                + " ("
                + e.getMessage()
                + "): choose another port with --set http.port=PORT, or 0 to turn HTTP off",
            e);
      }
      throw new IllegalStateException("cannot serve HTTP on " + where + ": " + e.getMessage(), e);
    }
  }

  /** The page's address. */
  public URI url() {
    return server.url();
  }

  public AggregateView view() {
    return view;
  }

  @Override
  public void close() {
    server.close();
    metrics.close();
    view.close();
  }
}
