package io.landslide.codec;

/** Thrown when bytes do not hold a well-formed event: never misread, always rejected. */
public final class CorruptEventException extends RuntimeException {
  /** @param message what is wrong with the bytes */
  public CorruptEventException(String message) {
    super(message);
  }
}
