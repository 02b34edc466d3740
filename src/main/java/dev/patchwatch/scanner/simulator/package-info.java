/**
 * A simulated scanner fleet replaying a remediation wave from published figures: a {@link
 * dev.patchwatch.scanner.simulator.Scenario} (data, in {@code scenarios/*.json}) and the {@link
 * dev.patchwatch.scanner.simulator.ProxyLogonSimulator} that turns it into scan events, day by day,
 * for {@code patchwatch demo}.
 */
package dev.patchwatch.scanner.simulator;
