package dev.patchwatch.cli;

import dev.patchwatch.query.Dashboard;
import dev.patchwatch.query.HttpView;
import dev.patchwatch.query.QueryApi;
import dev.patchwatch.runtime.Cluster;
import dev.patchwatch.runtime.Pipeline;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Starts the HTTP API, dashboard and metrics of a command's pipeline when http.port is not 0. */
final class Dashboards {

  private Dashboards() {}

  /** The dashboard of {@code pipeline}, its URL printed to {@code out}; empty when HTTP is off. */
  static Optional<Dashboard> start(
      Config config,
      Cluster cluster,
      Pipeline pipeline,
      List<QueryApi.Reference> references,
      PrintWriter out) {
    int port = config.get(Config.HTTP_PORT);
    if (port == 0) {
      return Optional.empty();
    }
    String token = config.get(Config.HTTP_TOKEN);
    Dashboard dashboard =
        Dashboard.start(
            new HttpView.Settings(
                config.get(Config.HTTP_HOST),
                port,
                token.isEmpty() ? Optional.empty() : Optional.of(token)),
            cluster,
            pipeline.topics(),
            pipeline.settings(),
            Optional.of(pipeline.streams()),
            references,
            Clock.systemUTC());
    out.printf(
        "  dashboard %s (API %sapi/v1/, metrics %smetrics%s)%n",
        dashboard.url(),
        dashboard.url(),
        dashboard.url(),
        token.isEmpty()
            ? ""
            : "; bearer token required, open the page as " + dashboard.url() + "#token=TOKEN");
    out.flush();
    return Optional.of(dashboard);
  }
}
