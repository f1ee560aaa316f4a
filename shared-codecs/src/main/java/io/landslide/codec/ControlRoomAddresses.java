package io.landslide.codec;

/**
 * The clustered event bus's addresses of the control room (the operator console's live panel): once a second every
 * edge publishes its counters and every writer its lag there, as JSON sealed with the cluster key ({@link TallySeal}),
 * and every edge listens.
 */
public final class ControlRoomAddresses {
  /** Where edges publish their counters. */
  public static final String EDGES = "landslide.ops.edges.v1";
  /** Where writers publish their lag. */
  public static final String WRITERS = "landslide.ops.writers.v1";

  private ControlRoomAddresses() {
  }
}
