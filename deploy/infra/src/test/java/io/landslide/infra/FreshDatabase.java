package io.landslide.infra;

import io.landslide.runtime.PgSettings;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test its own database on the local PostgreSQL: a {@link PgSettings} parameter names a database
 * that does not exist yet ({@code landslide_it_<random>}; the test creates it, e.g. with
 * {@link Schema#ensureDatabase}), dropped when the test ends, whatever it left behind.
 */
final class FreshDatabase implements ParameterResolver {
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == PgSettings.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    String name = "landslide_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    PgSettings pg = PgSettings.fromEnv(Map.of()).withDatabase(name);
    context.getStore(ExtensionContext.Namespace.create(FreshDatabase.class, name))
      .put(name, (ExtensionContext.Store.CloseableResource) () -> drop(pg));
    return pg;
  }

  private static void drop(PgSettings pg) throws Exception {
    try (Connection c = Schema.connect(pg.withDatabase("postgres")); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS \"" + pg.database() + "\" WITH (FORCE)");
    }
  }
}
