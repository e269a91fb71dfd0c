/* Lists printed by CLI commands: aligned text for people, CSV or JSON for
 * programs. A command fills an output_table and calls output_print once. */
#ifndef UNYO_OUTPUT_H
#define UNYO_OUTPUT_H

#include <stdio.h>

enum output_format { OUTPUT_TEXT, OUTPUT_CSV, OUTPUT_JSON };

struct output_table;
/* keys: machine names (CSV header, JSON keys); headings: shown in text mode
 * (already translated). Both arrays have ncols entries. */
struct output_table *output_new(int ncols, const char *const *keys, const char *const *headings);
/* Adds a row of ncols values (copied; NULL allowed). */
void output_row(struct output_table *t, const char *const *values);
size_t output_rows(const struct output_table *t);
/* Marks columns as numbers (keys comma-separated: "attempt,exit"): JSON
 * writes their values as JSON numbers (an empty or missing value as null),
 * CSV and text as they are. A value that is not a number stays a string.
 * Ids (18-digit hlc values included) stay strings: a JSON reader keeps only
 * 53 bits of a number. */
void output_numbers(struct output_table *t, const char *keys);
/* Marks columns as booleans: JSON writes "true"/"false" (and "yes"/"no")
 * as true/false, an empty value as null. */
void output_booleans(struct output_table *t, const char *keys);
/* Text is sanitised and fitted; CSV and JSON are data, written exactly (to
 * the stream set by output_set_raw_stdout when out is stdout). 0, or -1 when
 * a write failed. */
int output_print(const struct output_table *t, enum output_format fmt, FILE *out);
/* The CLI sends stdout through a sanitising stream in text and JSON modes;
 * raw is the real stdout, which CSV and JSON lists are written to (NULL: none). */
void output_set_raw_stdout(FILE *raw);
void output_free(struct output_table *t);
#endif
