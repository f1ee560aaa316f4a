package io.landslide.edge.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;

/**
 * Refuses JSON that two parsers could read differently: a key twice in one object ({@code {"option":0,"option":1}}:
 * Vert.x's decoder keeps the last, a proxy or a log reader may keep the first). A pre-pass with Jackson's streaming
 * parser and its duplicate detection, on the bodies that leave the vote's fast path only (at most 1 KiB there), so
 * no ambiguous document is ever accepted. Thread-safe.
 */
public final class StrictJson {
  private static final JsonFactory FACTORY = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build()).build();

  private StrictJson() {
  }

  /**
   * @param bytes a JSON document
   * @return whether it is well-formed with no key twice in an object (and at most 32 levels deep)
   */
  public static boolean unambiguous(byte[] bytes) {
    try (JsonParser p = FACTORY.createParser(bytes)) {
      while (p.nextToken() != null) {
        // every token read: a duplicate key, a syntax error or too deep a document throws
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
