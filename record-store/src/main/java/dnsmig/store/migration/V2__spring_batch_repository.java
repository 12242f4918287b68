package dnsmig.store.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Spring Batch's job repository tables, created from the DDL that ships inside Spring Batch
 * itself, so that one migration history owns every table dnsmig uses and the DDL always
 * matches the Spring Batch version on the class path.
 */
public class V2__spring_batch_repository extends BaseJavaMigration {

    static final String SCRIPT = "org/springframework/batch/core/schema-postgresql.sql";

    @Override
    public void migrate(Context context) throws Exception {
        String script = read();
        try (Statement s = context.getConnection().createStatement()) {
            for (String statement : script.split(";")) {
                String sql = statement.lines().filter(l -> !l.strip().startsWith("--")).reduce("", (a, b) -> a + "\n" + b).strip();
                if (!sql.isEmpty()) {
                    s.execute(sql);
                }
            }
        }
    }

    private static String read() throws IOException {
        try (InputStream in = V2__spring_batch_repository.class.getClassLoader().getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is not on the class path: spring-batch-core is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
