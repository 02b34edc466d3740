package dev.patchwatch.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The settings options of the commands that run their own embedded stack ({@code local}, {@code
 * demo}, {@code replay}): the same settings as {@code run}, resolved by {@link Config} from a file,
 * then the environment, then flags, so a replay can take the live application's graces.
 */
final class SettingsOptions {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "A properties file of settings (see `run --help`); flags win over it.")
  Path configFile;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Any setting (see `run --help`), e.g. grace.daily=3h.")
  Map<String, String> settings = new LinkedHashMap<>();

  /** The settings, with the command's own flags (by key) over {@code --set}. */
  Config load(Map<String, String> commandFlags) {
    Map<String, String> flags = new LinkedHashMap<>(settings);
    flags.putAll(commandFlags);
    return Config.load(Optional.ofNullable(configFile), System.getenv(), flags);
  }

  /** Puts {@code value} under {@code setting}'s key when the flag was given. */
  static void put(Map<String, String> flags, Setting<?> setting, Object value) {
    if (value != null) {
      flags.put(setting.key(), value.toString());
    }
  }
}
