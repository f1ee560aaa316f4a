package io.landslide.load;

/** {@code GET …/results} at {@code load.readers.rate} per second for {@code load.duration} seconds; the results gate. */
public class ResultsReadersSimulation extends LoadSimulation {
  public ResultsReadersSimulation() {
    run(new Plan().readers());
  }
}
