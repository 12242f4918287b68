package dnsmig.orchestrator;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Spring Boot application behind the {@code dnsmig} commands that need one (backfill
 * today; the API, dual writes, reconcile and cutover later). Commands start it with the
 * database they resolved (see {@code dnsmig.orchestrator.cli.AppContext}).
 */
@SpringBootApplication
public class DnsmigApplication {}
