package dnsmig.orchestrator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;

/** The OpenAPI description served at /openapi.yaml lists exactly the operations the controllers map, so the two cannot drift apart. */
class OpenApiDescriptionTest {

    @Test
    void everyMappedOperationIsDescribedAndNothingElse() throws IOException {
        Set<String> mapped = new TreeSet<>();
        for (Class<?> c : List.of(ZonesController.class, AdminController.class)) {
            for (Method m : c.getDeclaredMethods()) {
                add(mapped, "get", m.getAnnotation(GetMapping.class) == null ? null : m.getAnnotation(GetMapping.class).value());
                add(mapped, "put", m.getAnnotation(PutMapping.class) == null ? null : m.getAnnotation(PutMapping.class).value());
                add(mapped, "post", m.getAnnotation(PostMapping.class) == null ? null : m.getAnnotation(PostMapping.class).value());
                add(mapped, "delete", m.getAnnotation(DeleteMapping.class) == null ? null : m.getAnnotation(DeleteMapping.class).value());
            }
        }
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/dnsmig/orchestrator/api/openapi.yaml")) {
            assertThat(in).as("openapi.yaml on the class path").isNotNull();
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Set<String> described = new TreeSet<>();
        String path = null;
        boolean inPaths = false;
        Matcher m;
        for (String line : yaml.lines().toList()) {
            if (line.equals("paths:")) {
                inPaths = true;
            } else if (inPaths && (m = Pattern.compile("^  (/\\S+):$").matcher(line)).matches()) {
                path = m.group(1);
            } else if (inPaths && path != null && (m = Pattern.compile("^    (get|put|post|delete):").matcher(line)).find()) {
                described.add(m.group(1) + " " + path);
            }
        }
        assertThat(mapped).hasSizeGreaterThan(10);
        assertThat(described).containsExactlyElementsOf(mapped);
    }

    private static void add(Set<String> out, String method, String[] paths) {
        if (paths != null) {
            for (String p : paths) {
                out.add(method.toLowerCase(Locale.ROOT) + " " + p);
            }
        }
    }
}
