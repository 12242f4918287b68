package dnsmig.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import dnsmig.testkit.BindTools;
import dnsmig.testkit.NamedFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** An edit made out of band: BIND's own nsupdate, not dnsmig. */
final class Nsupdate {

    private Nsupdate() {}

    static void run(NamedFixture named, String zone, String... updates) throws IOException {
        StringBuilder script = new StringBuilder("server 127.0.0.1 " + named.port() + "\nzone " + zone + "\n");
        for (String u : updates) {
            script.append("update ").append(u).append('\n');
        }
        script.append("send\n");
        Path file = Files.createTempFile(named.directory(), "nsupdate", ".txt");
        Files.writeString(file, script);
        BindTools.Result r = BindTools.run(named.directory(), List.of("nsupdate", "-t", "5", "-k", named.keyFile().toString(), file.toString()));
        assertThat(r.exit()).as("nsupdate: %s %s", r.out(), r.err()).isZero();
    }
}
