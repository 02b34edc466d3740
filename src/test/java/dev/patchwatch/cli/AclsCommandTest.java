package dev.patchwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AclsCommandTest {

  @Test
  void shouldPrintEveryRolesAclsForThePrefixAndApplicationId() {
    Cli cli =
        Cli.run(
            "acls",
            "--app",
            "User:app",
            "--scanner",
            "User:scan",
            "--reader",
            "User:read",
            "--topic-prefix",
            "acme",
            "--kafka",
            "unused=1");

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.out().lines()).hasSize(47);
    assertThat(cli.out())
        .containsPattern("User:scan +ALLOW +WRITE +TOPIC +LITERAL +acme.scans")
        .containsPattern("User:app +ALLOW +READ +TOPIC +LITERAL +acme.scans")
        .containsPattern("User:app +ALLOW +ALL +TRANSACTIONAL_ID +PREFIXED +patchwatch-")
        .containsPattern("User:read +ALLOW +READ +TOPIC +LITERAL +acme.counts.daily")
        .doesNotContainPattern("User:scan +ALLOW +READ")
        .doesNotContainPattern("User:read +ALLOW +(WRITE|ALL|CREATE)");
  }

  @Test
  void shouldRefuseAPrincipalWithoutItsType() {
    Cli cli = Cli.run("acls", "--app", "patchwatch");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).startsWith("error: the application principal must be TYPE:NAME");
  }
}
