package dnsmig.legacy.namedconf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Domain names and classes as named.conf writes them (presentation format, RFC 1035 §5.1, always
 * relative to the root as BIND reads zone and key names).
 */
final class DnsNames {

    private DnsNames() {
    }

    /** The name as written with ASCII letters lower-cased and the trailing dot removed; the root is {@code "."}. */
    static String display(String written) {
        if (written.equals("@") || written.equals(".")) {
            return ".";
        }
        String s = written;
        if (s.endsWith(".") && !escapedAt(s, s.length() - 1)) {
            s = s.substring(0, s.length() - 1);
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return out.toString();
    }

    private static boolean escapedAt(String s, int index) {
        int backslashes = 0;
        for (int i = index - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    /**
     * A key equal for two spellings of the same name ({@code Example.COM.}, {@code example.com},
     * {@code a\.b} and {@code a\046B} pairwise), after checking the name is valid.
     *
     * @throws IllegalArgumentException saying why the name is not a valid domain name
     */
    static String canonical(String written) {
        if (written.equals("@") || written.equals(".")) {
            return "";
        }
        if (written.isEmpty()) {
            throw new IllegalArgumentException("the name is empty");
        }
        StringBuilder key = new StringBuilder();
        ByteArrayOutputStream label = new ByteArrayOutputStream();
        int wireLength = 1;
        boolean labelOpen = false;
        for (int i = 0; i < written.length(); i++) {
            char c = written.charAt(i);
            if (c == '.') {
                if (!labelOpen) {
                    throw new IllegalArgumentException("it has an empty label (two dots in a row, or a leading dot)");
                }
                wireLength += endLabel(label, key);
                labelOpen = false;
                continue;
            }
            labelOpen = true;
            if (c == '\\') {
                if (i + 1 >= written.length()) {
                    throw new IllegalArgumentException("it ends with a lone backslash");
                }
                if (isDigit(written, i + 1)) {
                    if (!isDigit(written, i + 2) || !isDigit(written, i + 3)) {
                        throw new IllegalArgumentException("a \\DDD escape needs exactly three digits");
                    }
                    int value = Integer.parseInt(written.substring(i + 1, i + 4));
                    if (value > 255) {
                        throw new IllegalArgumentException("the escape \\" + written.substring(i + 1, i + 4)
                                + " is above 255");
                    }
                    label.write(value);
                    i += 3;
                } else {
                    int cp = written.codePointAt(i + 1);
                    label.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                    i += Character.charCount(cp);
                }
            } else {
                int cp = written.codePointAt(i);
                label.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp) - 1;
            }
        }
        if (labelOpen) {
            wireLength += endLabel(label, key);
        }
        if (wireLength > 255) {
            throw new IllegalArgumentException("it is longer than 255 octets");
        }
        return key.toString();
    }

    private static boolean isDigit(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }

    private static int endLabel(ByteArrayOutputStream label, StringBuilder key) {
        byte[] bytes = label.toByteArray();
        label.reset();
        if (bytes.length > 63) {
            throw new IllegalArgumentException("a label is longer than 63 octets");
        }
        key.append((char) bytes.length);
        for (byte b : bytes) {
            int v = b & 0xff;
            key.append((char) (v >= 'A' && v <= 'Z' ? v + ('a' - 'A') : v));
        }
        return bytes.length + 1;
    }

    /**
     * The class mnemonic for a class as written ({@code in}, {@code CHAOS}, {@code CLASS3}, ...),
     * or {@code null} when it is not a class.
     */
    static String dnsClass(String written) {
        String upper = written.toUpperCase(Locale.ROOT);
        switch (upper) {
            case "IN", "CH", "HS", "NONE", "ANY" -> {
                return upper;
            }
            case "CHAOS" -> {
                return "CH";
            }
            case "HESIOD" -> {
                return "HS";
            }
            default -> {
                if (upper.startsWith("CLASS") && upper.length() > 5 && upper.length() <= 10
                        && upper.substring(5).chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    int n = Integer.parseInt(upper.substring(5));
                    return switch (n) {
                        case 1 -> "IN";
                        case 3 -> "CH";
                        case 4 -> "HS";
                        case 254 -> "NONE";
                        case 255 -> "ANY";
                        default -> n <= 0xffff ? "CLASS" + n : null;
                    };
                }
                return null;
            }
        }
    }
}
