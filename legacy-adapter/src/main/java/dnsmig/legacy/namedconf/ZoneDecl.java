package dnsmig.legacy.namedconf;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One {@code zone} statement of a named.conf, as BIND would configure it.
 *
 * @param name       the zone name as written, ASCII letters lower-cased, without the trailing dot;
 *                   {@code "."} for the root (also when written {@code "@"}). Escapes such as
 *                   {@code \.} or {@code \046} are kept as written.
 * @param dnsClass   {@code IN}, {@code CH}, {@code HS}, ... ({@code CHAOS}/{@code HESIOD} and
 *                   {@code CLASSn} spellings normalised); when not written, the class of the
 *                   enclosing view, which is {@code IN} unless the view names another
 * @param view       the enclosing view's name, or {@code null} outside views
 * @param type       {@code primary}, {@code secondary}, {@code mirror}, {@code hint}, {@code stub},
 *                   {@code static-stub}, {@code forward}, {@code redirect} or
 *                   {@code delegation-only} ({@code master}/{@code slave} normalised), or
 *                   {@code in-view} for a zone that only makes another view's zone visible
 * @param file       the zone file, absolute, resolved against {@code options { directory }};
 *                   {@code null} when the zone has no {@code file}
 * @param declaredIn the (absolute) configuration file holding the {@code zone} keyword
 * @param line       the line of the {@code zone} keyword in {@code declaredIn}
 */
public record ZoneDecl(String name, String dnsClass, String view, String type, Path file, Path declaredIn, int line) {

    public ZoneDecl {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dnsClass, "dnsClass");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(declaredIn, "declaredIn");
    }

    /** Whether this zone is served from a file this server owns: what the backfill imports. */
    public boolean isPrimary() {
        return "primary".equals(type);
    }
}
