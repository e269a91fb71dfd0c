/* A timeline event's data (a JSON object in *_events.data) as text a person
 * reads (issue 13): "担当: 鈴木 一郎, 停止: 1時間" rather than
 * {"assignee":"suzuki","paused_seconds":3600}. Keys become labels
 * (label_event_key), operator logins the operator's display name, durations
 * "1時間" / "5分", states and kinds their labels; an unknown key stays readable
 * as "key: value", and no brace or quote of the JSON reaches the text. The
 * panes and `unyo … show` both use it; --json keeps the data as stored. */
#ifndef UNYO_EVENT_TEXT_H
#define UNYO_EVENT_TEXT_H

#include "id.h"

struct store;

/* Labels a value of a key the generic rules do not know (an SLA step, a
 * ledger's state in "from"/"to"), or returns NULL to leave it to them. */
typedef const char *(*event_value_name)(const char *key, const char *value);

/* The text of data (malloc'd; "" for NULL, empty or unreadable data: then
 * the data itself without braces). value_name may be NULL. */
char *event_describe(struct store *st, const char *data, event_value_name value_name);

/* 1 when data is a link to a console session ({"kind":"ssh_session",
 * "id":...}), its id copied into id; 0 otherwise. */
int event_session_id(struct store *st, const char *data, char id[ID_LEN + 1]);

#endif
