package dev.patchwatch.cli;

import dev.patchwatch.scanner.simulator.ProxyLogonSimulator;
import dev.patchwatch.scanner.simulator.Scenario;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --scale} and {@code --seed} of the simulated ProxyLogon month: {@code demo}, {@code
 * simulate}.
 */
final class MonthOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--scale",
      defaultValue = "0.05",
      description = "Fraction of the ~400,000 servers to simulate (default: ${DEFAULT-VALUE}).")
  double scale;

  @Option(
      names = "--seed",
      defaultValue = "2021",
      description = "Random seed; the same seed gives the same month (default: ${DEFAULT-VALUE}).")
  long seed;

  /** Refuses a scale outside (0, 1] as bad usage. */
  void check() {
    if (!(scale > 0 && scale <= 1)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--scale must be in (0, 1], got " + scale);
    }
  }

  ProxyLogonSimulator simulator(Scenario scenario) {
    return new ProxyLogonSimulator(scenario, scale, seed);
  }
}
