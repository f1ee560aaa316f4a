package io.landslide.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.landslide.codec.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document the edge serves ({@code docs/openapi.yaml}, packaged at {@code openapi/openapi.yaml}) says
 * what the code does: every error code is listed, and every path parameter is declared.
 */
class OpenApiDocumentTest {
  private static String document() throws IOException {
    try (InputStream in = OpenApiDocumentTest.class.getClassLoader().getResourceAsStream("openapi/openapi.yaml")) {
      assertThat(in).as("docs/openapi.yaml packaged into the edge (served at GET /api/v1/openapi.yaml)").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldListEveryErrorCode() throws IOException {
    Matcher m = Pattern.compile("error:\\s*\\n\\s*type: string\\s*\\n\\s*enum: \\[([^\\]]*)\\]").matcher(document());
    assertThat(m.find()).as("the Error schema's enum of codes").isTrue();
    List<String> listed = Arrays.stream(m.group(1).split(",")).map(String::strip).toList();
    for (ErrorCode c : ErrorCode.values()) assertThat(listed).as("docs/openapi.yaml lists " + c.code()).contains(c.code());
    assertThat(listed).as("no code listed that the edge never sends")
      .allMatch(code -> Arrays.stream(ErrorCode.values()).anyMatch(c -> c.code().equals(code)));
  }

  @Test
  void shouldDeclareEveryPathParameter() throws IOException {
    String doc = document();
    Matcher paths = Pattern.compile("(?m)^  (/\\S*):\\s*$").matcher(doc);
    List<int[]> starts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    while (paths.find()) {
      starts.add(new int[] {paths.start(), paths.end()});
      names.add(paths.group(1));
    }
    assertThat(names).as("paths").isNotEmpty();
    for (int i = 0; i < names.size(); i++) {
      String block = doc.substring(starts.get(i)[1], i + 1 < names.size() ? starts.get(i + 1)[0] : doc.length());
      Matcher params = Pattern.compile("\\{(\\w+)}").matcher(names.get(i));
      while (params.find()) {
        assertThat(block).as(names.get(i) + " declares its path parameter " + params.group(1))
          .containsPattern("name: " + params.group(1) + ", in: path, required: true");
      }
    }
  }
}
