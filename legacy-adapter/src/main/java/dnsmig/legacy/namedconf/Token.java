package dnsmig.legacy.namedconf;

import java.nio.file.Path;

/**
 * One token of a named.conf file.
 *
 * <p>{@code line}/{@code column} (1-based, a tab counts as one column) are where the token starts;
 * {@code endLine}/{@code endColumn} are the position just after its last character, which is
 * where a missing {@code ';'} belongs.
 */
record Token(Kind kind, String text, Path file, int line, int column, int endLine, int endColumn) {

    enum Kind {
        /** An unquoted string: everything up to whitespace, a special character or a comment. */
        WORD,
        /** A {@code "quoted string"}; {@link #text} is its content with {@code \"} turned into {@code "}. */
        QSTRING,
        /** One of {@code { } ; ! /}. */
        SPECIAL,
        /** The end of the top-level file (included files end silently, as in BIND). */
        EOF
    }

    boolean isSpecial(char c) {
        return kind == Kind.SPECIAL && text.charAt(0) == c;
    }

    /** An unquoted word equal to {@code keyword}, ignoring case (BIND compares clause names that way). */
    boolean isKeyword(String keyword) {
        return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
    }

    /** A word or a quoted string: what BIND's grammar calls an {@code astring}. */
    boolean isString() {
        return kind == Kind.WORD || kind == Kind.QSTRING;
    }

    boolean isEof() {
        return kind == Kind.EOF;
    }

    /** How an error message names this token; {@code redact} hides its text (inside {@code key} statements). */
    String describe(boolean redact) {
        return switch (kind) {
            case EOF -> "the end of the file";
            case SPECIAL -> "'" + text + "'";
            case WORD -> redact ? "a word" : "'" + abbreviate(text) + "'";
            case QSTRING -> redact ? "a quoted string" : "\"" + abbreviate(text) + "\"";
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
