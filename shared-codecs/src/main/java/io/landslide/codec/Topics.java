package io.landslide.codec;

/** Kafka topic names. A breaking change to a record format gets a new topic version. */
public final class Topics {
  /** Accepted votes; key = user index (4 bytes), value = {@link VoteEventDescriptor}. */
  public static final String VOTES = "votes.v1";

  private Topics() {
  }
}
