package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunHelpTest {

  @Test
  void shouldListEverySettingInRunHelp() {
    Cli help = Cli.run("run", "--help");

    assertThat(help.exitCode()).isZero();
    // the help wraps long lines, inside a key after one of its dots too
    List<String> words = Arrays.asList(help.out().replaceAll("\\.\\R", ".").split("\\s+"));
    for (Setting<?> setting : Config.ALL) {
      assertThat(words).as("run --help lists " + setting.key()).contains(setting.key());
    }
  }
}
