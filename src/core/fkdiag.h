/*
 * Foreign-key diagnosis (fkdiag.c).
 *
 * Run only after a statement failed, never on the success path.
 *  rli_diag_child_row: probe each foreign key of a model row; report every key whose value
 *      has no parent.  Returns RL_EFOREIGNKEY if it found one, RL_OK otherwise.
 *  rli_fk_referenced_sentence: "op: pk = 3 is still referenced by 2 rows of books(author_id)
 *      (ON DELETE RESTRICT)." for a parent-side failure described by d.
 */
#ifndef REFLITE_CORE_FKDIAG_H
#define REFLITE_CORE_FKDIAG_H

#include "reflite.h"

#include "base/base.h"
#include "model.h"

#include <stddef.h>

int rli_diag_child_row(rl_db *db, model_info *mi, const void *row, const char *op, int engine_code);
/* The model key (mi, key number: a field index, or RLI_CKEY + j for rl_key j) whose constraint
 * is named constraint on table, among the models seen on db (see rli_fk_name); RL_ENOTFOUND
 * when none is. */
int rli_key_by_constraint(rl_db *db, const char *table, const char *constraint, model_info **mi,
                          size_t *key);
/* d->referencing < 0: the rows were not counted ("still referenced by rows of ..."). */
void rli_fk_referenced_sentence(strbuf *b, const char *op, const rl_fk_detail *d, const char *verb);

#endif
