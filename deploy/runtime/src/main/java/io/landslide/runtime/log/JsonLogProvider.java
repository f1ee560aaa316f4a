package io.landslide.runtime.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J 2 provider of every Landslide process (edge, writer, local tools): one JSON object per line
 * ({@link JsonLog}). Found by SLF4J's service loader ({@code META-INF/services/org.slf4j.spi.SLF4JServiceProvider}).
 */
public final class JsonLogProvider implements SLF4JServiceProvider {
  private ILoggerFactory factory;
  private IMarkerFactory markers;
  private MDCAdapter mdc;

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    factory = JsonLog.fromEnvironment();
    markers = new BasicMarkerFactory();
    mdc = new BasicMDCAdapter();
  }
}
