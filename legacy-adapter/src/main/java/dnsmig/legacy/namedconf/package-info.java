/**
 * Zone discovery from BIND's own configuration: {@link dnsmig.legacy.namedconf.NamedConf} reads a
 * {@code named.conf} (and the files it includes) the way {@code named} 9.18 does and lists its
 * zones ({@link dnsmig.legacy.namedconf.ZoneDecl}) and TSIG keys
 * ({@link dnsmig.legacy.namedconf.TsigKey}); a configuration BIND would refuse gives a
 * {@link dnsmig.legacy.namedconf.NamedConfException} naming file, line and column.
 *
 * <p>Everything else in this package is internal: the lexer ({@code Lexer}, {@code Token}), the
 * statement reader ({@code Parser}), include globbing ({@code IncludeGlob}) and name rules
 * ({@code DnsNames}, {@code PathNames}).
 */
package dnsmig.legacy.namedconf;
