package io.landslide.edge.account;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private final PasswordHasher hasher = new PasswordHasher(1024, 1, 1); // small, for speed; the format is the same

  @Test
  void shouldVerifyTheRightPasswordOnly() {
    String phc = hasher.hash("correct horse battery staple");
    assertThat(phc).startsWith("$argon2id$v=19$m=1024,t=1,p=1$");
    assertThat(hasher.verify("correct horse battery staple", phc)).isTrue();
    assertThat(hasher.verify("correct horse battery stapler", phc)).isFalse();
    assertThat(hasher.verify("", phc)).isFalse();
  }

  @Test
  void shouldSaltEveryHash() {
    assertThat(hasher.hash("same password")).isNotEqualTo(hasher.hash("same password"));
  }

  @Test
  void shouldMatchTheSamePasswordTypedComposedOrDecomposed() {
    String phc = hasher.hash("caf\u00e9-cr\u00e8me"); // é, è as one code point each
    assertThat(hasher.verify("cafe\u0301-cre\u0300me", phc)).isTrue(); // e + combining accent
  }

  @Test
  void shouldVerifyWithTheParametersStoredInTheHash() {
    String phc = new PasswordHasher(2048, 2, 1).hash("raised parameters");
    assertThat(hasher.verify("raised parameters", phc)).isTrue();
  }

  @Test
  void shouldNeverMatchAMalformedHash() {
    String phc = hasher.hash("password1");
    for (String bad : new String[] {"", "$", "plain", phc.replace("argon2id", "argon2i"), phc.replace("v=19", "v=16"),
      phc.replace("m=1024", "m=x"), phc.replace("m=1024", "m=99999999"), phc.substring(0, phc.lastIndexOf('$')) + "$!!",
      phc.substring(0, phc.lastIndexOf('$')) + "$AAAA", phc + "$extra"}) {
      assertThat(hasher.verify("password1", bad)).as(bad).isFalse();
    }
  }
}
