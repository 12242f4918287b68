package dnsmig.convert;

import java.nio.file.Path;

/**
 * How the converter reads files.
 *
 * @param baseDir where relative {@code $INCLUDE} paths resolve, as BIND resolves them against its
 *     working directory; {@code null} means the current directory
 * @param maxIncludeDepth how deep {@code $INCLUDE} may nest (the main file is depth 0)
 * @param maxGenerateRecords the most records one {@code $GENERATE} may produce; a larger range is
 *     a {@code generate-too-large} error and produces nothing
 */
public record ConverterOptions(Path baseDir, int maxIncludeDepth, long maxGenerateRecords) {

  public static final int DEFAULT_MAX_INCLUDE_DEPTH = 16;

  /**
   * 65,536 records per {@code $GENERATE}: above the largest real use in the corpus (50,000) and
   * small enough that a typo such as {@code 1-4000000000} cannot exhaust memory.
   */
  public static final long DEFAULT_MAX_GENERATE_RECORDS = 65_536;

  public ConverterOptions {
    if (maxIncludeDepth < 0) {
      throw new IllegalArgumentException("maxIncludeDepth must be >= 0");
    }
    if (maxGenerateRecords < 0) {
      throw new IllegalArgumentException("maxGenerateRecords must be >= 0");
    }
  }

  public static ConverterOptions defaults() {
    return new ConverterOptions(null, DEFAULT_MAX_INCLUDE_DEPTH, DEFAULT_MAX_GENERATE_RECORDS);
  }

  public ConverterOptions withBaseDir(Path dir) {
    return new ConverterOptions(dir, maxIncludeDepth, maxGenerateRecords);
  }

  public ConverterOptions withMaxIncludeDepth(int depth) {
    return new ConverterOptions(baseDir, depth, maxGenerateRecords);
  }

  public ConverterOptions withMaxGenerateRecords(long max) {
    return new ConverterOptions(baseDir, maxIncludeDepth, max);
  }

  Path resolve(String file) {
    Path p = Path.of(file);
    if (p.isAbsolute()) {
      return p;
    }
    return baseDir == null ? p : baseDir.resolve(p);
  }
}
