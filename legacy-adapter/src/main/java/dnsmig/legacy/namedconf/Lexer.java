package dnsmig.legacy.namedconf;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Splits named.conf text into tokens the way BIND's {@code isc_lex} does with the settings
 * {@code lib/isccfg} gives it, over a stack of open files.
 *
 * <p>The rules, each checked against {@code named-checkconf} 9.18:
 * <ul>
 *   <li>Whitespace is space, tab, CR and LF only; any other character (even a form feed) is part
 *       of a word.</li>
 *   <li>Special characters, each a token of its own: {@code { } ; ! /}; a {@code "} opens a quoted
 *       string.</li>
 *   <li>Comments: {@code # ...}, {@code // ...} to the end of the line, {@code /* ... *}{@code /}
 *       (not nested). They are recognised anywhere outside quoted strings, also in the middle of a
 *       word, and end that word.</li>
 *   <li>BIND quirk, reproduced: when a {@code /*} comment directly follows a word (no space in
 *       between), the lexer resumes at the comment's closing {@code /}, so {@code a/*x*}{@code /b}
 *       reads as {@code a}, {@code /}, {@code b} and is a syntax error where BIND reports one.</li>
 *   <li>Quoted strings may span lines; {@code \"} stands for {@code "}; every other backslash is
 *       kept as written ({@code "a\.b"} stays {@code a\.b} for the name parser to interpret).</li>
 *   <li>Words have no escapes: {@code foo\;} is the word {@code foo\} followed by {@code ;}.</li>
 *   <li>An included file is pushed on top of the stack and its tokens continue the stream of the
 *       file that included it; when it ends, reading goes on where the include was.</li>
 * </ul>
 */
final class Lexer {

    /** One open file. {@code parent} is the file whose include statement opened it. */
    static final class Source {
        final Path file;
        final Source parent;
        final int depth;
        private final String text;
        private int pos;
        private int line = 1;
        private int column = 1;

        Source(Path file, String text, Source parent) {
            this.file = file;
            this.text = text;
            this.parent = parent;
            this.depth = parent == null ? 1 : parent.depth + 1;
        }

        private boolean atEnd() {
            return pos >= text.length();
        }

        private char peek(int ahead) {
            int i = pos + ahead;
            return i < text.length() ? text.charAt(i) : '\uFFFF';
        }

        private void advance() {
            if (text.charAt(pos++) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
    }

    private final Deque<Source> sources = new ArrayDeque<>();
    private Token pushedBack;

    void push(Path file, String text, Source parent) {
        if (pushedBack != null) {
            throw new IllegalStateException("a file was opened while a token was pushed back");
        }
        sources.push(new Source(file, text, parent));
    }

    /** The file being read now: the one an include statement just parsed belongs to. */
    Source current() {
        return sources.peek();
    }

    Token peek() throws NamedConfException {
        if (pushedBack == null) {
            pushedBack = read();
        }
        return pushedBack;
    }

    Token next() throws NamedConfException {
        if (pushedBack != null) {
            Token t = pushedBack;
            pushedBack = null;
            return t;
        }
        return read();
    }

    private Token read() throws NamedConfException {
        for (;;) {
            Source s = sources.peek();
            if (s == null) {
                throw new IllegalStateException("no file is open");
            }
            if (s.atEnd()) {
                if (sources.size() > 1) {
                    sources.pop();
                    continue;
                }
                return new Token(Token.Kind.EOF, "", s.file, s.line, s.column, s.line, s.column);
            }
            char c = s.peek(0);
            switch (c) {
                case ' ', '\t', '\r', '\n' -> s.advance();
                case '#' -> skipLine(s);
                case '/' -> {
                    if (s.peek(1) == '*') {
                        skipBlockComment(s);
                    } else if (s.peek(1) == '/') {
                        skipLine(s);
                    } else {
                        return single(s, Token.Kind.SPECIAL);
                    }
                }
                case '"' -> {
                    return quoted(s);
                }
                case '{', '}', ';', '!' -> {
                    return single(s, Token.Kind.SPECIAL);
                }
                case '\0' -> throw new NamedConfException(s.file, s.line, s.column,
                        "unexpected NUL byte: named.conf must be a text file");
                default -> {
                    return word(s);
                }
            }
        }
    }

    private static Token single(Source s, Token.Kind kind) {
        int line = s.line;
        int column = s.column;
        String text = String.valueOf(s.peek(0));
        s.advance();
        return new Token(kind, text, s.file, line, column, s.line, s.column);
    }

    private static void skipLine(Source s) {
        while (!s.atEnd() && s.peek(0) != '\n') {
            s.advance();
        }
    }

    /** Skips a C comment starting at {@code /*}; leaves the position after {@code *}{@code /}. */
    private static void skipBlockComment(Source s) throws NamedConfException {
        int line = s.line;
        int column = s.column;
        s.advance();
        s.advance();
        for (;;) {
            if (s.atEnd()) {
                throw new NamedConfException(s.file, line, column,
                        "unterminated comment: the '/*' here has no closing '*/' before the end of the file");
            }
            if (s.peek(0) == '*' && s.peek(1) == '/') {
                s.advance();
                s.advance();
                return;
            }
            s.advance();
        }
    }

    private static Token quoted(Source s) throws NamedConfException {
        int line = s.line;
        int column = s.column;
        s.advance();
        StringBuilder value = new StringBuilder();
        boolean escaped = false;
        for (;;) {
            if (s.atEnd()) {
                throw new NamedConfException(s.file, line, column,
                        "unterminated quoted string: the '\"' here has no closing '\"' before the end of the file");
            }
            char c = s.peek(0);
            s.advance();
            if (c == '"') {
                if (!escaped) {
                    return new Token(Token.Kind.QSTRING, value.toString(), s.file, line, column, s.line, s.column);
                }
                value.setCharAt(value.length() - 1, '"');
                escaped = false;
            } else {
                escaped = c == '\\' && !escaped;
                value.append(c);
            }
        }
    }

    private static Token word(Source s) throws NamedConfException {
        int line = s.line;
        int column = s.column;
        StringBuilder value = new StringBuilder();
        int endLine = line;
        int endColumn = column;
        while (!s.atEnd()) {
            char c = s.peek(0);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0' || c == '#'
                    || c == '{' || c == '}' || c == ';' || c == '!' || c == '"') {
                break;
            }
            if (c == '/') {
                if (s.peek(1) == '*') {
                    endLine = s.line;
                    endColumn = s.column;
                    skipBlockCommentKeepingClosingSlash(s);
                    return new Token(Token.Kind.WORD, value.toString(), s.file, line, column, endLine, endColumn);
                }
                break;
            }
            value.append(c);
            s.advance();
        }
        return new Token(Token.Kind.WORD, value.toString(), s.file, line, column, s.line, s.column);
    }

    /**
     * BIND's lexer ends a word at a {@code /*} comment by pushing back one character, which is the
     * comment's closing {@code /} rather than the space the comment stands for: reading resumes at
     * that {@code /}.
     */
    private static void skipBlockCommentKeepingClosingSlash(Source s) throws NamedConfException {
        int line = s.line;
        int column = s.column;
        s.advance();
        s.advance();
        for (;;) {
            if (s.atEnd()) {
                throw new NamedConfException(s.file, line, column,
                        "unterminated comment: the '/*' here has no closing '*/' before the end of the file");
            }
            if (s.peek(0) == '*' && s.peek(1) == '/') {
                s.advance();
                return;
            }
            s.advance();
        }
    }
}
