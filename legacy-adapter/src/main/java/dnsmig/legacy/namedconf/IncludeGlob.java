package dnsmig.legacy.namedconf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Expands the file name of an {@code include} statement the way BIND 9.18 does: with POSIX
 * {@code glob(3)} (flag {@code GLOB_ERR} only), relative to the working directory.
 *
 * <p>So {@code *}, {@code ?} and {@code [...]} (also {@code [!...]}) match within one path
 * component, a leading dot must be matched literally, a backslash quotes the next character,
 * braces are not special, and the matches come back sorted in byte order (BIND runs in the C
 * locale). A name without wildcards matches only if it exists.
 */
final class IncludeGlob {

    private IncludeGlob() {
    }

    /** The existing paths matching {@code pattern}, sorted; empty when nothing matches. */
    static List<Path> expand(String pattern, Path workingDirectory) throws IOException {
        List<Path> current = new ArrayList<>();
        current.add(pattern.startsWith("/") ? workingDirectory.getRoot() : workingDirectory);
        String[] components = pattern.split("/", -1);
        List<String> parts = Arrays.stream(components).filter(c -> !c.isEmpty()).toList();
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            boolean last = i == parts.size() - 1;
            List<Path> next = new ArrayList<>();
            if (hasMagic(part)) {
                Pattern regex = toRegex(part);
                boolean dotExplicit = part.startsWith(".") || part.startsWith("\\.");
                for (Path dir : current) {
                    if (!Files.isDirectory(dir)) {
                        continue;
                    }
                    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                        for (Path entry : entries) {
                            String name = entry.getFileName().toString();
                            if (name.startsWith(".") && !dotExplicit) {
                                continue;
                            }
                            if (regex.matcher(name).matches()) {
                                next.add(entry);
                            }
                        }
                    }
                }
            } else {
                String literal = unquote(part);
                for (Path dir : current) {
                    Path candidate = dir.resolve(literal);
                    if (last ? Files.exists(candidate) : Files.isDirectory(candidate)) {
                        next.add(candidate);
                    }
                }
            }
            current = next;
        }
        if (parts.isEmpty()) {
            // "/" or "" : glob returns the directory itself when it exists
            current.removeIf(p -> !Files.exists(p));
        }
        current.sort(IncludeGlob::compareBytes);
        return current;
    }

    private static int compareBytes(Path a, Path b) {
        return Arrays.compareUnsigned(a.toString().getBytes(StandardCharsets.UTF_8),
                b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static boolean hasMagic(String part) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?') {
                return true;
            } else if (c == '[' && bracketEnd(part, i) > 0) {
                return true;
            }
        }
        return false;
    }

    /** Index of the {@code ]} closing the bracket expression opened at {@code open}, or -1. */
    private static int bracketEnd(String part, int open) {
        int i = open + 1;
        if (i < part.length() && (part.charAt(i) == '!' || part.charAt(i) == '^')) {
            i++;
        }
        if (i < part.length() && part.charAt(i) == ']') {
            i++;
        }
        for (; i < part.length(); i++) {
            if (part.charAt(i) == ']') {
                return i;
            }
        }
        return -1;
    }

    private static String unquote(String part) {
        StringBuilder out = new StringBuilder(part.length());
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '\\' && i + 1 < part.length()) {
                c = part.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }

    private static Pattern toRegex(String part) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 < part.length()) {
                        regex.append(Pattern.quote(String.valueOf(part.charAt(++i))));
                    } else {
                        regex.append(Pattern.quote("\\"));
                    }
                }
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '[' -> {
                    int end = bracketEnd(part, i);
                    if (end < 0) {
                        regex.append(Pattern.quote("["));
                    } else {
                        regex.append(bracket(part.substring(i + 1, end)));
                        i = end;
                    }
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    private static String bracket(String body) {
        StringBuilder out = new StringBuilder("[");
        int start = 0;
        if (!body.isEmpty() && (body.charAt(0) == '!' || body.charAt(0) == '^')) {
            out.append('^');
            start = 1;
        }
        for (int i = start; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '-' && i > start && i < body.length() - 1) {
                out.append('-');
            } else if (Character.isLetterOrDigit(c)) {
                out.append(c);
            } else {
                out.append('\\').append(c);
            }
        }
        return out.append(']').toString();
    }
}
