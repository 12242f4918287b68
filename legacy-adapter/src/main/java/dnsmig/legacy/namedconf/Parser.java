package dnsmig.legacy.namedconf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the statements of a named.conf that zone discovery needs ({@code include},
 * {@code options { directory }}, {@code view}, {@code zone}, {@code key}) and skips every other
 * statement and option by its structure: words and strings up to a {@code ;}, with balanced
 * {@code { ... }} blocks in between. An {@code include "file";} is followed wherever it appears,
 * as BIND accepts it wherever an option can stand.
 *
 * <p>Besides the syntax, the checks of BIND's {@code named-checkconf} that decide which zones
 * exist are made too (zone type present and known, file present where required, one definition
 * per zone and view, zones in views once views are used, {@code in-view} targets, key algorithm
 * and secret), so a configuration BIND refuses is not read as a list of zones here.
 */
final class Parser {

    static final int MAX_INCLUDE_DEPTH = 64;
    static final int MAX_FILES = 10_000;

    private static final Map<String, String> ZONE_TYPES = Map.ofEntries(
            Map.entry("primary", "primary"),
            Map.entry("master", "primary"),
            Map.entry("secondary", "secondary"),
            Map.entry("slave", "secondary"),
            Map.entry("mirror", "mirror"),
            Map.entry("hint", "hint"),
            Map.entry("stub", "stub"),
            Map.entry("static-stub", "static-stub"),
            Map.entry("forward", "forward"),
            Map.entry("redirect", "redirect"),
            Map.entry("delegation-only", "delegation-only"));

    private static final Map<String, Integer> HMAC_BITS = Map.of(
            "hmac-md5", 128,
            "hmac-sha1", 160,
            "hmac-sha224", 224,
            "hmac-sha256", 256,
            "hmac-sha384", 384,
            "hmac-sha512", 512);

    private static final Pattern OPTION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    record Result(Path directory, List<ZoneDecl> zones, List<TsigKey> keys) {
    }

    private record View(String name, String dnsClass, Token at, Set<String> zones) {
    }

    private record ZoneStatement(String name, String dnsClass, String view, String type, String file, Token at) {
    }

    private final Lexer lexer = new Lexer();
    private Path cwd;
    private Token optionsAt;
    private int filesOpened;
    private final List<ZoneStatement> zones = new ArrayList<>();
    private final Map<String, Token> zoneDefinitions = new HashMap<>();
    private final Map<String, View> views = new LinkedHashMap<>();
    private final List<TsigKey> keys = new ArrayList<>();
    private final Map<String, Token> keyDefinitions = new HashMap<>();

    private Parser(Path workingDirectory) {
        this.cwd = workingDirectory;
    }

    /**
     * @param conf             the top-level file, absolute
     * @param workingDirectory the directory named would have been started in, absolute
     */
    static Result parse(Path conf, Path workingDirectory) throws NamedConfException {
        Parser parser = new Parser(workingDirectory);
        parser.openTopLevel(conf);
        parser.statements();
        return parser.result();
    }

    // ---------------------------------------------------------------- files

    private void openTopLevel(Path conf) throws NamedConfException {
        if (Files.isDirectory(conf)) {
            throw new NamedConfException(conf, 0, 0, "is a directory, not a configuration file");
        }
        try {
            lexer.push(conf, read(conf), null);
        } catch (IOException e) {
            throw new NamedConfException(conf, 0, 0, "cannot read the configuration: " + reason(e), e);
        }
        filesOpened = 1;
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** {@code include "name";} after the keyword; opens the matching files on top of the current one. */
    private void include(boolean redact) throws NamedConfException {
        Token name = lexer.next();
        if (name.kind() != Token.Kind.QSTRING) {
            throw error(name, "expected a quoted file name after 'include', found " + name.describe(redact));
        }
        expectSemicolon(name, "include statement", redact);
        Lexer.Source from = lexer.current();
        String pattern = name.text();
        List<Path> matches;
        try {
            matches = pattern.isEmpty() ? List.of() : IncludeGlob.expand(pattern, cwd);
        } catch (IOException e) {
            throw error(name, "cannot list the files include \"" + pattern + "\" names: " + reason(e), e);
        }
        if (matches.isEmpty()) {
            String where = pattern.startsWith("/")
                    ? ""
                    : " (a relative include is resolved against the directory named is working in at this point: "
                            + cwd + ")";
            Object missing = pattern.isEmpty() ? "\"\"" : PathNames.withoutDots(cwd.resolve(pattern));
            throw error(name, "include file not found: " + missing + where);
        }
        for (Path match : matches) {
            if (Files.isDirectory(match)) {
                throw error(name, "include \"" + pattern + "\" names " + PathNames.withoutDots(match)
                        + ", which is a directory, not a file");
            }
        }
        // BIND opens every match in order, each on top of the previous one, so the last is read first.
        for (Path match : matches) {
            open(PathNames.withoutDots(match), name, from);
        }
    }

    private void open(Path file, Token at, Lexer.Source from) throws NamedConfException {
        if (from.depth >= MAX_INCLUDE_DEPTH) {
            throw error(at, "includes are nested more than " + MAX_INCLUDE_DEPTH + " levels deep");
        }
        Deque<Path> chain = new ArrayDeque<>();
        boolean loop = false;
        for (Lexer.Source s = from; s != null; s = s.parent) {
            chain.push(s.file);
            loop |= sameFile(s.file, file);
        }
        if (loop) {
            throw error(at, "include loop: " + chain.stream().map(Path::toString).collect(Collectors.joining(" -> "))
                    + " -> " + file + " again");
        }
        if (++filesOpened > MAX_FILES) {
            throw error(at, "more than " + MAX_FILES + " files are included; giving up");
        }
        try {
            lexer.push(file, read(file), from);
        } catch (IOException e) {
            throw error(at, "cannot read include file " + file + ": " + reason(e), e);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return a.equals(b) || Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- statements

    private void statements() throws NamedConfException {
        for (;;) {
            Token t = lexer.next();
            if (t.isEof()) {
                return;
            }
            if (t.kind() != Token.Kind.WORD) {
                throw unexpected(t, "expected a statement such as options, zone or view");
            }
            switch (t.text().toLowerCase(Locale.ROOT)) {
                case "include" -> include(false);
                case "options" -> options(t);
                case "view" -> view(t);
                case "zone" -> zone(t, null);
                case "key" -> key(t);
                default -> skipUnknown(t, "statement", false);
            }
        }
    }

    private void options(Token keyword) throws NamedConfException {
        if (optionsAt != null) {
            throw error(keyword, "'options' is given twice; the first is at " + at(optionsAt));
        }
        optionsAt = keyword;
        Token open = lexer.next();
        if (!open.isSpecial('{')) {
            throw error(open, "expected '{' after 'options', found " + open.describe(false));
        }
        Token directoryAt = null;
        Token close;
        for (;;) {
            Token t = lexer.next();
            if (t.isSpecial('}')) {
                close = t;
                break;
            }
            checkClauseStart(t, open, "the options statement", false);
            switch (t.text().toLowerCase(Locale.ROOT)) {
                case "include" -> include(false);
                case "directory" -> {
                    if (directoryAt != null) {
                        throw redefined(t, directoryAt, "options");
                    }
                    directoryAt = t;
                    Token value = lexer.next();
                    if (value.kind() != Token.Kind.QSTRING) {
                        throw error(value, "expected a quoted directory name after 'directory', found "
                                + value.describe(false));
                    }
                    // named chdir()s here, while still parsing: includes after this point are relative to it.
                    cwd = PathNames.withoutDots(cwd.resolve(value.text()));
                    expectSemicolon(value, "'directory \"" + value.text() + "\"'", false);
                }
                default -> skipUnknown(t, "option", false);
            }
        }
        expectSemicolon(close, "options statement", false);
    }

    private void view(Token keyword) throws NamedConfException {
        Token nameToken = lexer.next();
        if (!nameToken.isString()) {
            throw unexpected(nameToken, "expected the view name after 'view'");
        }
        String name = nameToken.text();
        String label = "view \"" + name + "\"";
        String dnsClass = "IN";
        Token open = lexer.next();
        if (open.kind() == Token.Kind.WORD) {
            dnsClass = dnsClass(open, label);
            open = lexer.next();
        }
        if (!open.isSpecial('{')) {
            throw error(open, "expected '{' after " + label + ", found " + open.describe(false));
        }
        String viewKey = name + '\0' + dnsClass;
        View previous = views.get(viewKey);
        if (previous != null) {
            throw error(nameToken, label + " is defined twice; the first is at " + at(previous.at()));
        }
        View view = new View(name, dnsClass, nameToken, new HashSet<>());
        Token close;
        for (;;) {
            Token t = lexer.next();
            if (t.isSpecial('}')) {
                close = t;
                break;
            }
            checkClauseStart(t, open, label, false);
            switch (t.text().toLowerCase(Locale.ROOT)) {
                case "include" -> include(false);
                case "zone" -> zone(t, view);
                case "key" -> key(t);
                default -> skipUnknown(t, "option", false);
            }
        }
        expectSemicolon(close, label + " statement", false);
        views.put(viewKey, view);
    }

    private void zone(Token keyword, View view) throws NamedConfException {
        Token nameToken = lexer.next();
        if (!nameToken.isString()) {
            throw unexpected(nameToken, "expected the zone name after 'zone'");
        }
        String written = nameToken.text();
        String label = "zone \"" + written + "\"";
        String canonical;
        try {
            canonical = DnsNames.canonical(written);
        } catch (IllegalArgumentException e) {
            throw error(nameToken, "the name of " + label + " is not a valid domain name: " + e.getMessage());
        }
        String viewClass = view == null ? "IN" : view.dnsClass();
        String dnsClass = viewClass;
        Token open = lexer.next();
        if (open.kind() == Token.Kind.WORD) {
            dnsClass = dnsClass(open, label);
            if (!dnsClass.equals(viewClass)) {
                throw error(open, label + ": class " + dnsClass + " does not match the class " + viewClass + " of "
                        + (view == null ? "the default view" : "view \"" + view.name() + "\""));
            }
            open = lexer.next();
        }
        if (!open.isSpecial('{')) {
            throw error(open, "expected '{' after " + label + ", found " + open.describe(false));
        }
        Token typeAt = null;
        Token fileAt = null;
        Token inViewAt = null;
        String type = null;
        String file = null;
        String inView = null;
        boolean database = false;
        Token close;
        for (;;) {
            Token t = lexer.next();
            if (t.isSpecial('}')) {
                close = t;
                break;
            }
            checkClauseStart(t, open, label, false);
            switch (t.text().toLowerCase(Locale.ROOT)) {
                case "include" -> include(false);
                case "type" -> {
                    if (typeAt != null) {
                        throw redefined(t, typeAt, label);
                    }
                    typeAt = t;
                    Token value = lexer.next();
                    if (value.kind() != Token.Kind.WORD) {
                        throw error(value, label + ": expected the zone type (an unquoted word such as primary) after "
                                + "'type', found " + value.describe(false));
                    }
                    type = ZONE_TYPES.get(value.text().toLowerCase(Locale.ROOT));
                    if (type == null) {
                        throw error(value, label + ": unknown zone type '" + value.text() + "' (expected one of "
                                + "primary, master, secondary, slave, mirror, hint, stub, static-stub, forward, "
                                + "redirect, delegation-only)");
                    }
                    expectSemicolon(value, "'type " + value.text() + "'", false);
                }
                case "file" -> {
                    if (fileAt != null) {
                        throw redefined(t, fileAt, label);
                    }
                    fileAt = t;
                    Token value = lexer.next();
                    if (value.kind() != Token.Kind.QSTRING) {
                        throw error(value, label + ": expected a quoted file name after 'file', found "
                                + value.describe(false));
                    }
                    file = value.text();
                    expectSemicolon(value, "'file \"" + file + "\"'", false);
                }
                case "in-view" -> {
                    if (inViewAt != null) {
                        throw redefined(t, inViewAt, label);
                    }
                    inViewAt = t;
                    Token value = lexer.next();
                    if (!value.isString()) {
                        throw unexpected(value, label + ": expected a view name after 'in-view'");
                    }
                    inView = value.text();
                    expectSemicolon(value, "'in-view \"" + inView + "\"'", false);
                }
                case "database", "dlz" -> {
                    database = true;
                    skipUnknown(t, "option", false);
                }
                default -> skipUnknown(t, "option", false);
            }
        }
        expectSemicolon(close, label + " statement", false);

        if (inViewAt != null) {
            if (typeAt != null || fileAt != null) {
                throw error(inViewAt, label + ": 'in-view' cannot be combined with 'type' or 'file'");
            }
            if (!inViewTargetExists(inView, canonical)) {
                throw error(inViewAt, label + ": 'in-view \"" + inView + "\"' needs a view \"" + inView
                        + "\" defined earlier in the configuration with this zone in it");
            }
            type = "in-view";
        } else if (typeAt == null) {
            throw error(keyword, label + " has no 'type'");
        }
        if (file == null && !database && (type.equals("primary") || type.equals("hint"))) {
            throw error(keyword, label + ": a " + type + " zone needs a 'file'");
        }
        if (type.equals("redirect") && !canonical.isEmpty()) {
            throw error(keyword, label + ": a redirect zone must be the root zone \".\"");
        }
        String definition = (view == null ? "" : view.name()) + '\0' + (view == null ? "" : view.dnsClass()) + '\0'
                + canonical;
        Token previous = zoneDefinitions.putIfAbsent(definition, nameToken);
        if (previous != null) {
            throw error(nameToken, label + " is declared twice in "
                    + (view == null ? "the configuration" : "view \"" + view.name() + "\"")
                    + "; the first is at " + at(previous));
        }
        if (view != null) {
            view.zones().add(canonical);
        }
        zones.add(new ZoneStatement(DnsNames.display(written), dnsClass, view == null ? null : view.name(), type,
                file, keyword));
    }

    private boolean inViewTargetExists(String viewName, String canonicalZone) {
        for (View v : views.values()) {
            if (v.name().equals(viewName) && v.zones().contains(canonicalZone)) {
                return true;
            }
        }
        return false;
    }

    /** {@code key "name" { algorithm ...; secret "..."; };} — no message here ever shows the secret. */
    private void key(Token keyword) throws NamedConfException {
        Token nameToken = lexer.next();
        if (!nameToken.isString()) {
            throw error(nameToken, "expected the key name after 'key', found " + nameToken.describe(true));
        }
        String name = nameToken.text();
        String label = "key \"" + name + "\"";
        String canonical;
        try {
            canonical = DnsNames.canonical(name);
        } catch (IllegalArgumentException e) {
            throw error(nameToken, "the name of " + label + " is not a valid domain name: " + e.getMessage());
        }
        Token open = lexer.next();
        if (!open.isSpecial('{')) {
            throw error(open, "expected '{' after " + label + ", found " + open.describe(true));
        }
        Token algorithmAt = null;
        Token secretAt = null;
        Token algorithm = null;
        Token secret = null;
        Token close;
        for (;;) {
            Token t = lexer.next();
            if (t.isSpecial('}')) {
                close = t;
                break;
            }
            checkClauseStart(t, open, label, true);
            switch (t.text().toLowerCase(Locale.ROOT)) {
                case "include" -> include(true);
                case "algorithm" -> {
                    if (algorithmAt != null) {
                        throw redefined(t, algorithmAt, label);
                    }
                    algorithmAt = t;
                    algorithm = lexer.next();
                    if (!algorithm.isString()) {
                        throw error(algorithm, label + ": expected an algorithm name after 'algorithm', found "
                                + algorithm.describe(true));
                    }
                    expectSemicolon(algorithm, "'algorithm' in " + label, true);
                }
                case "secret" -> {
                    if (secretAt != null) {
                        throw redefined(t, secretAt, label);
                    }
                    secretAt = t;
                    secret = lexer.next();
                    if (!secret.isString()) {
                        throw error(secret, label + ": expected the base64 secret after 'secret', found "
                                + secret.describe(true));
                    }
                    expectSemicolon(secret, "'secret' in " + label, true);
                }
                default -> skipUnknown(t, "option", true);
            }
        }
        expectSemicolon(close, label + " statement", true);
        if (algorithm == null || secret == null) {
            throw error(keyword, label + " must define both 'algorithm' and 'secret'");
        }
        String algorithmName = algorithm.text().toLowerCase(Locale.ROOT);
        String problem = checkAlgorithm(algorithmName);
        if (problem != null) {
            throw error(algorithm, label + ": " + problem);
        }
        byte[] decoded = decodeBase64(secret.text());
        if (decoded == null) {
            throw error(secret, label + ": the secret is not valid base64");
        }
        Token previous = keyDefinitions.putIfAbsent(canonical, nameToken);
        if (previous != null) {
            throw error(nameToken, label + " is defined twice; the first is at " + at(previous));
        }
        keys.add(new TsigKey(name, algorithmName, decoded));
    }

    /** Why BIND would refuse this TSIG algorithm, or {@code null} when it is fine. */
    private static String checkAlgorithm(String algorithm) {
        if (algorithm.equals("hmac-md5.sig-alg.reg.int") || HMAC_BITS.containsKey(algorithm)) {
            return null;
        }
        int dash = algorithm.lastIndexOf('-');
        Integer max = dash > 0 ? HMAC_BITS.get(algorithm.substring(0, dash)) : null;
        if (max == null) {
            // Only a near miss is repeated: a secret written in the wrong place must not reach a log.
            return "unknown algorithm" + (algorithm.startsWith("hmac-") ? " '" + algorithm + "'" : "")
                    + " (expected hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512, "
                    + "optionally truncated as in hmac-sha256-128)";
        }
        String bits = algorithm.substring(dash + 1);
        if (bits.isEmpty() || bits.length() > 9 || !bits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return "cannot read the number of digest bits in algorithm '" + algorithm + "'";
        }
        int n = Integer.parseInt(bits);
        if (n % 8 != 0) {
            return "algorithm '" + algorithm + "' truncates to " + n + " bits, which is not a multiple of 8";
        }
        if (n > max) {
            return "algorithm '" + algorithm + "' truncates to " + n + " bits, more than the " + max + " it has";
        }
        return null;
    }

    /**
     * BIND's base64: white space ignored, padding required, and the bits after the last byte must
     * be zero ({@code YWJ=} is refused though most decoders read it as {@code ab}); {@code null}
     * when not valid.
     */
    private static byte[] decodeBase64(String text) {
        String compact = text.replaceAll("[ \t\r\n]", "");
        if (compact.length() % 4 != 0) {
            return null;
        }
        try {
            byte[] decoded = Base64.getDecoder().decode(compact);
            return Base64.getEncoder().encodeToString(decoded).equals(compact) ? decoded : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- structure

    /**
     * Skips a statement or option this reader does not interpret (BIND would refuse the ones it
     * does not know; skipping them keeps this reader working when BIND grows new options). Its
     * name must still look like one, as BIND's all do.
     */
    private void skipUnknown(Token name, String kind, boolean redact) throws NamedConfException {
        if (!OPTION_NAME.matcher(name.text()).matches()) {
            throw error(name, (redact ? "this" : "'" + name.text() + "'") + " is not "
                    + (kind.equals("option") ? "an " : "a ") + kind
                    + " name (a stray character, or a comment or string not closed properly?)");
        }
        skipStatement(name, redact ? "an unknown " + kind : "'" + name.text() + "' " + kind, redact);
    }

    /** Consumes one statement whose first token is {@code first}, up to and including its {@code ;}. */
    private void skipStatement(Token first, String what, boolean redact) throws NamedConfException {
        Token last = first.isSpecial('{') ? skipBlock(first, what, redact) : first;
        for (;;) {
            Token t = lexer.next();
            if (t.isSpecial(';')) {
                return;
            }
            if (t.isSpecial('{')) {
                last = skipBlock(t, what, redact);
            } else if (t.isSpecial('}') || t.isEof()) {
                throw missingSemicolon(last, what, t, redact);
            } else {
                last = t;
            }
        }
    }

    /** Consumes a block after its {@code {}, up to and including the matching {@code }}. */
    private Token skipBlock(Token open, String owner, boolean redact) throws NamedConfException {
        for (;;) {
            Token t = lexer.next();
            if (t.isSpecial('}')) {
                return t;
            }
            if (t.isEof()) {
                throw unclosed(open, owner);
            }
            if (t.isSpecial(';')) {
                throw error(t, "unexpected ';': an empty statement inside the block of " + owner);
            }
            if (t.isKeyword("include") && lexer.peek().kind() == Token.Kind.QSTRING) {
                include(redact);
            } else if (t.kind() == Token.Kind.WORD && !redact) {
                skipStatement(t, "'" + t.text() + "'", false);
            } else {
                skipStatement(t, "an element of the block of " + owner, redact);
            }
        }
    }

    /** The first token of an option inside {@code { ... }} of a statement we interpret. */
    private void checkClauseStart(Token t, Token open, String owner, boolean redact) throws NamedConfException {
        if (t.isEof()) {
            throw unclosed(open, owner);
        }
        if (t.kind() != Token.Kind.WORD) {
            throw unexpected(t, "expected an option name inside " + owner, redact);
        }
    }

    private String dnsClass(Token t, String owner) throws NamedConfException {
        String dnsClass = DnsNames.dnsClass(t.text());
        if (dnsClass == null) {
            throw error(t, owner + ": '" + t.text() + "' is not a DNS class (expected IN, CH or HS), "
                    + "or a '{' is missing");
        }
        return dnsClass;
    }

    private void expectSemicolon(Token last, String what, boolean redact) throws NamedConfException {
        Token t = lexer.next();
        if (!t.isSpecial(';')) {
            throw missingSemicolon(last, what, t, redact);
        }
    }

    // ---------------------------------------------------------------- result

    private Result result() throws NamedConfException {
        if (!views.isEmpty()) {
            for (ZoneStatement z : zones) {
                if (z.view() == null) {
                    throw error(z.at(), "zone \"" + z.name() + "\" is outside any view, but the configuration has "
                            + "views: once views are used, every zone must be inside one");
                }
            }
        }
        Path directory = cwd;
        List<ZoneDecl> decls = zones.stream()
                .map(z -> new ZoneDecl(z.name(), z.dnsClass(), z.view(), z.type(),
                        z.file() == null ? null : PathNames.withoutDots(directory.resolve(z.file())),
                        z.at().file(), z.at().line()))
                .toList();
        return new Result(directory, decls, List.copyOf(keys));
    }

    // ---------------------------------------------------------------- errors

    private static NamedConfException error(Token at, String problem) {
        return new NamedConfException(at.file(), at.line(), at.column(), problem);
    }

    private static NamedConfException error(Token at, String problem, Throwable cause) {
        return new NamedConfException(at.file(), at.line(), at.column(), problem, cause);
    }

    private static NamedConfException unexpected(Token t, String expectation) {
        return unexpected(t, expectation, false);
    }

    private static NamedConfException unexpected(Token t, String expectation, boolean redact) {
        if (t.isSpecial(';')) {
            return error(t, "unexpected ';' (an empty statement?): " + expectation);
        }
        if (t.isSpecial('}')) {
            return error(t, "unexpected '}': " + expectation + " (is there a '}' too many?)");
        }
        return error(t, expectation + ", found " + t.describe(redact));
    }

    private static NamedConfException missingSemicolon(Token last, String what, Token found, boolean redact) {
        String where;
        if (!found.file().equals(last.file())) {
            where = " in " + found.file();
        } else {
            where = found.line() == last.endLine() ? "" : " on line " + found.line();
        }
        return new NamedConfException(last.file(), last.endLine(), last.endColumn(),
                "missing ';' after " + what + "; found " + found.describe(redact) + where);
    }

    private static NamedConfException unclosed(Token open, String owner) {
        return error(open, "the '{' of " + owner + " is never closed: the end of the file came first");
    }

    private static NamedConfException redefined(Token again, Token first, String owner) {
        return error(again, owner + ": '" + again.text().toLowerCase(Locale.ROOT) + "' is given twice; the first is at "
                + at(first));
    }

    private static String at(Token t) {
        return t.file() + ":" + t.line();
    }
}
