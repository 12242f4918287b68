package dnsmig.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module's boundary: only the API is public, and the library depends on nothing but dnsjava
 * and the JDK (no Spring, no database).
 */
class ApiSurfaceTest {

  static final Set<String> API =
      Set.of(
          "dnsmig.convert.ZoneFileConverter",
          "dnsmig.convert.ConverterOptions",
          "dnsmig.convert.Conversion",
          "dnsmig.convert.Finding",
          "dnsmig.convert.FindingCode",
          "dnsmig.convert.Severity",
          "dnsmig.convert.MasterFileWriter",
          "dnsmig.convert.ZoneValidator",
          "dnsmig.convert.types.ExtraTypes",
          "dnsmig.convert.types.BindRdata");

  static List<Path> mainClasses() throws IOException {
    Path root = Path.of(ZoneFileConverter.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.toString().endsWith(".class")).toList();
    }
  }

  @Test
  void onlyTheApiIsPublic() throws Exception {
    Path root = Path.of(ZoneFileConverter.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    Set<String> publicTopLevel = new TreeSet<>();
    for (Path p : mainClasses()) {
      String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
      if (name.contains("$")) {
        continue;
      }
      if (Modifier.isPublic(Class.forName(name).getModifiers())) {
        publicTopLevel.add(name);
      }
    }
    assertThat(publicTopLevel).containsExactlyInAnyOrderElementsOf(API);
  }

  @Test
  void dependsOnlyOnTheJdkAndDnsjava() throws Exception {
    for (Path p : mainClasses()) {
      String constants = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
      assertThat(constants).as(p.toString()).doesNotContain("org/springframework").doesNotContain("java/sql").doesNotContain("org/jooq");
    }
  }
}
