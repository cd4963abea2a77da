// SPDX-License-Identifier: MIT
// JSON Lines records of what a producer emitted: one object per goroutine or panic.
#ifndef CW_OUTPUT_RECORDS_H
#define CW_OUTPUT_RECORDS_H

#include <stdbool.h>

#include "lib/jsonw.h"
#include "model/goroutine.h"

/*
 * Write g (resp. p) as one JSON object followed by a newline, the schema in
 * docs/records-schema.md. w must be at top level (depth 0), not pretty for
 * JSON Lines. Nothing is kept; the record's strings are only read.
 */
void records_write_goroutine(struct jsonw *w, const struct goroutine *g);
void records_write_panic(struct jsonw *w, const struct panic_report *p);
/* The goroutine's object alone, as a value at any depth of w (records_write_goroutine's). */
void records_goroutine_object(struct jsonw *w, const struct goroutine *g);
/*
 * A channel the live reader saw: addr, elem, len, cap, closed, and with waiters the goids
 * queued to send and to receive ("senders", "receivers"), else only their numbers
 * ("nsenders", "nreceivers": a goroutine's record, where the lists would repeat).
 */
void records_chan_object(struct jsonw *w, const struct chan_info *c, bool waiters);

/* Stable names used in the records ("send_on_closed", "deadlock", ...). */
const char *records_panic_kind_name(enum panic_kind kind);
#endif
