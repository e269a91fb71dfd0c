/* The end-of-service extraction (seed 000): every ledger table as one CSV
 * file, and the way back into an empty store. */
#ifndef UNYO_LEDGER_IO_H
#define UNYO_LEDGER_IO_H

struct store;

/* Writes DIR/<table>.csv for every ledger table (DIR is created). Rows in id
 * order so two stores with the same content export the same bytes. *rows gets
 * the number of data rows written (may be NULL). */
int ledger_export_csv(struct store *st, const char *dir, int bom, long long *rows, char **err);
/* Loads DIR/<table>.csv files into st, which must hold no ledger rows. All or
 * nothing: any error rolls everything back, naming FILE:LINE. */
int ledger_import_csv(struct store *st, const char *dir, long long *rows, char **err);

#endif
