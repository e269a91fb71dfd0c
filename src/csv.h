/* RFC 4180 CSV: a fast buffered writer and a streaming reader, used by
 * `unyo export --csv` / `unyo import --csv`.
 *
 * Format written (and read back so that re-export is byte-identical):
 *   - UTF-8 (bytes are passed through unchanged, even invalid UTF-8; NUL bytes
 *     are not supported), optionally preceded by a UTF-8 BOM (EF BB BF) so
 *     Excel detects the encoding;
 *   - fields separated by ',' and every record, the last included, ended by
 *     CRLF;
 *   - a field is quoted ("...") when it contains ',', '"', CR or LF, or when it
 *     starts the file (no BOM written) with the bytes EF BB BF, which a reader
 *     would take for a BOM; a '"' inside is doubled; CR and LF inside quotes
 *     are kept verbatim;
 *   - Excel mode (with the BOM): a field a spreadsheet would run as a formula
 *     (starting with '=', '+', '-', '@', TAB or CR; a plain signed number such
 *     as "-3" excepted) gets a leading apostrophe (OWASP's CSV-injection
 *     guard), and so does a field that starts with an apostrophe itself; the
 *     reader of a file with a BOM removes one leading apostrophe from every
 *     field, so every value reads back exactly;
 *   - SQL NULL is written as an empty unquoted field and the empty string as
 *     a quoted empty field `""`, so the reader can tell them apart: reading
 *     `a,,""` gives "a", NULL, "".
 *
 * Consequently a record with a single NULL field is an empty line, and an empty
 * line reads back as one NULL field (a record with no fields cannot be
 * represented).
 */
#ifndef UNYO_CSV_H
#define UNYO_CSV_H

#include <stddef.h>
#include <stdio.h>

struct csv_writer; /* opaque */

/* Starts writing to out (which the caller keeps owning and closes). bom: write
 * the UTF-8 BOM EF BB BF first. Output goes through an internal 128 KiB buffer. */
struct csv_writer *csv_writer_open(FILE *out, int bom);
/* Appends one field (UTF-8 bytes, len of them) to the current record.
 * s NULL = SQL NULL (empty unquoted field); len 0 with s non-NULL = empty string
 * (written as `""`). */
void csv_write_field(struct csv_writer *w, const char *s, size_t len);
/* 1 when the value s[0..len) is guarded in Excel mode (see above). */
int csv_excel_guard(const char *s, size_t len);
/* Ends the current record with CRLF, as RFC 4180 says. */
void csv_end_row(struct csv_writer *w);
/* Flushes the buffer and fflush()es out (out is not closed), frees w.
 * Returns 0, or -1 if any write failed, with errno set to the first failure's. */
int csv_writer_close(struct csv_writer *w);

struct csv_reader; /* opaque, streaming: memory is bounded by the largest record */

/* Starts reading from in (which the caller keeps owning and closes); a leading
 * UTF-8 BOM is skipped and turns on Excel mode: one leading apostrophe of
 * every field is the writer's guard and is dropped. */
struct csv_reader *csv_reader_open(FILE *in);
/* Reads one record. Returns 1 with the fields set, 0 at end of file, -1 on
 * malformed input or a read error, with *err (free()d first if not NULL, so
 * initialise it) set to a malloc'd, translated "line N: what is wrong", where N
 * is the physical line (1-based, counting LFs, also those inside quotes) where
 * the fault starts: the opening quote of an unterminated quoted field, a stray
 * quote inside an unquoted field, text after a closing quote, or a CR outside
 * quotes that is not followed by LF. Errors are sticky: later calls return -1
 * with the same message.
 *
 * Both CRLF and LF end a record. fields[i] (lens[i] bytes, followed by a NUL)
 * points into reader-owned memory valid until the next call; is_null[i] is 1 for
 * an empty unquoted field (SQL NULL), 0 otherwise (including `""`). */
int csv_read_row(struct csv_reader *r, size_t *nfields, const char *const **fields,
                 const size_t **lens, const unsigned char **is_null, char **err);
/* Physical line (1-based) where the record last returned by csv_read_row
 * starts; 0 before the first. For callers' own messages ("line N: ..."). */
long csv_reader_line(const struct csv_reader *r);
/* Bytes of heap the reader currently holds (for tests of bounded memory). */
size_t csv_reader_footprint(const struct csv_reader *r);
void csv_reader_close(struct csv_reader *r);

#endif
