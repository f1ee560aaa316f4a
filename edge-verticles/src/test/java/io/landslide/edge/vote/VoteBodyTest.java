package io.landslide.edge.vote;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The fast scanner and the full JSON parser must agree on every body. */
class VoteBodyTest {

  static Stream<Arguments> bodies() {
    return Stream.of(
      Arguments.of("{\"option\":2}", "2"),
      Arguments.of("{ \"option\" : 31 }", "31"),
      Arguments.of("\n{\"option\":\t0}\r\n", "0"),
      Arguments.of("{\"option\":-1}", "-1"),
      Arguments.of("{\"option\":99999999999}", "99999999999"),
      Arguments.of("{\"option\":1,\"pow\":{\"nonce\":\"1\"}}", "1"),
      Arguments.of("{\"pow\":{},\"option\":3}", "3"),
      Arguments.of("{\"option\":1,\"extra\":true}", "1"),
      Arguments.of("{\"\\u006fption\":4}", "4"),
      Arguments.of("{\"option\":01}", "INVALID"),
      Arguments.of("{\"option\":1.0}", "INVALID"),
      Arguments.of("{\"option\":1e2}", "INVALID"),
      Arguments.of("{\"option\":\"1\"}", "INVALID"),
      Arguments.of("{\"option\":1,}", "INVALID"),
      Arguments.of("{\"option\":1}}", "INVALID"),
      Arguments.of("{\"option\":1} x", "INVALID"),
      Arguments.of("{\"option\":}", "INVALID"),
      Arguments.of("{\"option\":1,\"pow\":5}", "INVALID"),
      Arguments.of("[1]", "INVALID"),
      Arguments.of("1", "INVALID"),
      Arguments.of("nul", "INVALID"),
      Arguments.of("{\"Option\":1}", "INVALID"),
      Arguments.of("{\"option\":0,\"option\":1}", "INVALID"),
      Arguments.of("{\"option\":0, \"\\u006fption\":1}", "INVALID"),
      Arguments.of("{\"option\":1,\"pow\":{\"nonce\":\"1\",\"nonce\":\"2\"}}", "INVALID"),
      Arguments.of("{\"option\":123456789012345678901234567890}", "INVALID"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("bodies")
  void shouldParseOnlyVotes(String body, String expected) {
    long want = expected.equals("INVALID") ? VoteBody.INVALID : Long.parseLong(expected);
    assertThat(VoteBody.option(Buffer.buffer(body))).isEqualTo(want);
  }

  @ParameterizedTest
  @CsvSource({"/api/v1/polls/1/votes,true", "/api/v1/polls/abc/votes,true", "/api/v1/polls//votes,false",
    "/api/v1/polls/1/votes/me,false", "/api/v1/polls/1/2/votes,false", "/api/v1/polls/votes,false"})
  void shouldRouteOnlyTheVotePath(String path, boolean vote) {
    assertThat(VoteHandler.matches(path)).isEqualTo(vote);
  }
}
