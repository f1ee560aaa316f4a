package io.landslide.edge.defence;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.PowHash;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProofOfWorkTest {
  private static final byte[] SECRET = "a test secret of thirty-two bytes or more".getBytes(StandardCharsets.UTF_8);
  private static final int POLL = 7;
  private static final long USER = 42;
  private static final int DIFFICULTY = 10;

  private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
  private final ProofOfWork pow = new ProofOfWork(SECRET, 300, now::get);

  /** A solved challenge, as a client would send it. */
  private JsonObject solved(int poll, long user, int difficulty) {
    JsonObject c = pow.challenge(poll, user, difficulty);
    long nonce = PowHash.solve(c.getString("challenge"), user, poll, difficulty);
    return new JsonObject().put("challenge", c.getString("challenge")).put("expires", c.getLong("expires"))
      .put("signature", c.getString("signature")).put("nonce", Long.toString(nonce));
  }

  @Test
  void shouldAcceptASolvedChallengeOfItsUserAndPoll() {
    JsonObject c = pow.challenge(POLL, USER, DIFFICULTY);
    assertThat(c.getString("algorithm")).isEqualTo("SHA-256");
    assertThat(c.getInteger("difficulty")).isEqualTo(DIFFICULTY);
    assertThat(c.getLong("expires")).isEqualTo(now.get() / 1000 + 300);
    JsonObject p = solved(POLL, USER, DIFFICULTY);
    assertThat(pow.verify(p, POLL, USER, DIFFICULTY)).isTrue();
    assertThat(pow.verify(p.copy().put("nonce", Long.parseLong(p.getString("nonce"))), POLL, USER, DIFFICULTY)).as("nonce as a number").isTrue();
  }

  @Test
  void shouldRefuseASolutionReplayedForAnotherUserOrPoll() {
    JsonObject p = solved(POLL, USER, DIFFICULTY);
    assertThat(pow.verify(p, POLL, USER + 1, DIFFICULTY)).isFalse();
    assertThat(pow.verify(p, POLL + 1, USER, DIFFICULTY)).isFalse();
  }

  @Test
  void shouldRefuseAnExpiredChallenge() {
    JsonObject p = solved(POLL, USER, DIFFICULTY);
    now.addAndGet(300_000);
    assertThat(pow.verify(p, POLL, USER, DIFFICULTY)).as("at its expiry second").isTrue();
    now.addAndGet(1_000);
    assertThat(pow.verify(p, POLL, USER, DIFFICULTY)).isFalse();
  }

  @Test
  void shouldRefuseTamperedOrWrongSolutions() {
    JsonObject p = solved(POLL, USER, DIFFICULTY);
    long nonce = Long.parseLong(p.getString("nonce"));
    long wrong = nonce + 1;
    while (PowHash.leadingZeroBits(sha(p.getString("challenge") + ":" + USER + ":" + POLL + ":" + wrong)) >= DIFFICULTY) wrong++;
    JsonObject[] bad = {
      p.copy().put("nonce", Long.toString(wrong)),
      p.copy().put("nonce", "-" + nonce), p.copy().put("nonce", "12a"), p.copy().put("nonce", ""), p.copy().put("nonce", -1),
      p.copy().put("nonce", 1.5), p.copy().putNull("nonce"),
      p.copy().put("expires", p.getLong("expires") + 3600), // a longer life the signature does not cover
      p.copy().put("challenge", p.getString("challenge").substring(1) + "A"),
      p.copy().put("signature", p.getString("signature").substring(1) + "A"), p.copy().put("signature", "!!!"),
      p.copy().put("signature", 42), p.copy().put("challenge", "x".repeat(65)), p.copy().put("expires", "soon"),
      new JsonObject(), null,
    };
    for (JsonObject b : bad) assertThat(pow.verify(b, POLL, USER, DIFFICULTY)).as(String.valueOf(b)).isFalse();
    assertThat(pow.verify(p, POLL, USER, DIFFICULTY + 1)).as("the difficulty the edge asks now is signed in").isFalse();
    assertThat(new ProofOfWork("another deployment's secret, 32 bytes".getBytes(StandardCharsets.UTF_8), 300, now::get)
      .verify(p, POLL, USER, DIFFICULTY)).isFalse();
  }

  @Test
  void shouldTurnTheCheckOffAtDifficultyZero() {
    assertThat(pow.verify(null, POLL, USER, 0)).isTrue();
    assertThat(pow.verify(new JsonObject().put("nonce", "junk"), POLL, USER, 0)).isTrue();
  }

  @Test
  void shouldCountLeadingZeroBits() {
    assertThat(PowHash.leadingZeroBits(new byte[] {(byte) 0x80, 0})).isZero();
    assertThat(PowHash.leadingZeroBits(new byte[] {0x01, 0})).isEqualTo(7);
    assertThat(PowHash.leadingZeroBits(new byte[] {0, 0x10})).isEqualTo(11);
    assertThat(PowHash.leadingZeroBits(new byte[] {0, 0})).isEqualTo(16);
  }

  private static byte[] sha(String s) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
