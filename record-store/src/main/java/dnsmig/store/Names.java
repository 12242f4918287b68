package dnsmig.store;

import java.util.Locale;

/** Zone and owner names the way the store keeps them: lower-case, absolute. */
public final class Names {

    private Names() {}

    /** "Example.COM" and "example.com." both become "example.com."; "." stays the root. */
    public static String absoluteLower(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n : n + ".";
    }
}
