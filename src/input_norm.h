/* What a Japanese operator types where a date or a number is asked: the IME's
 * full-width digits and separators ("２０２６／１２／０７", "３１．５", "－３"),
 * an ideographic space (U+3000) around it, "ー" or "−" for a dash. Normalise
 * first, then validate with the parser that already exists (civil_parse,
 * time_parse, cli_parse_count, strtod): one place decides what folds, and a
 * value that is not a date or a number after folding is refused by the parser
 * with its usual message. */
#ifndef UNYO_INPUT_NORM_H
#define UNYO_INPUT_NORM_H

/* s as a malloc'd string of valid UTF-8 (NULL s gives NULL):
 * - invalid UTF-8 bytes become the text "\xNN" (as utf8_repair does);
 * - the full-width ASCII block U+FF01-U+FF5E becomes ASCII (NFKC's folding);
 * - U+3000 and tabs become spaces; runs of spaces become one space and spaces
 *   at either end are dropped (also CR and LF at either end);
 * - dash variants (U+2010-U+2015, U+2212 minus, U+FE58, U+FE63, U+30FC "ー",
 *   U+FF70 "ｰ") become "-", and U+3002 "。" and U+FF61 "｡" become ".".
 * Everything else is kept byte for byte. Normalising twice changes nothing, and
 * the result is never longer than four times the input. */
char *input_norm(const char *s);

/* input_norm, then a leading date written YYYY/MM/DD, YYYY-MM-DD, YYYY.MM.DD
 * or YYYY年MM月DD日 (one kind of separator) is rewritten as "YYYY-MM-DD", and a
 * leading month (YYYY/MM, YYYY年MM月) as "YYYY-MM"; what follows is kept, so
 * "２０２６／１２／０７　０９：３０" becomes "2026-12-07 09:30" for time_parse.
 * Month and day keep their two digits ("2026/1/5" stays as typed: the parsers
 * refuse it, as they refuse 2026-1-5). Idempotent like input_norm. Validation
 * is the caller's parser's. */
char *input_norm_date(const char *s);

#endif
