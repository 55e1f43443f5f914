/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libpq, loaded when a PostgreSQL store is opened (util/dlib.h).
 * Included by db_pg.c after the library's own header: the names
 * below then call through the table, which the module's entry point loads
 * with hornet_dlib_load() before any call.
 */
#ifndef HORNET_STORE_PQ_DL_H
#define HORNET_STORE_PQ_DL_H

#include "util/dlib.h"

/* clang-format off */
#define HORNET_PQ_FNS(X) \
	X(PQclear) \
	X(PQconnectdbParams) \
	X(PQconninfoFree) \
	X(PQconninfoParse) \
	X(PQerrorMessage) \
	X(PQexec) \
	X(PQexecPrepared) \
	X(PQfinish) \
	X(PQfreemem) \
	X(PQftype) \
	X(PQgetResult) \
	X(PQgetisnull) \
	X(PQgetlength) \
	X(PQgetvalue) \
	X(PQnfields) \
	X(PQntuples) \
	X(PQprepare) \
	X(PQputCopyData) \
	X(PQputCopyEnd) \
	X(PQresultErrorField) \
	X(PQresultErrorMessage) \
	X(PQresultStatus) \
	X(PQserverVersion) \
	X(PQsetNoticeProcessor) \
	X(PQstatus) \
	X(PQtransactionStatus)
/* clang-format on */

struct hornet_pq_fns {
	HORNET_PQ_FNS(HORNET_DLIB_FN)
};

extern struct hornet_pq_fns hornet_pq_fns;
extern struct hornet_dlib hornet_pq_lib;

#define PQclear (*hornet_pq_fns.PQclear)
#define PQconnectdbParams (*hornet_pq_fns.PQconnectdbParams)
#define PQconninfoFree (*hornet_pq_fns.PQconninfoFree)
#define PQconninfoParse (*hornet_pq_fns.PQconninfoParse)
#define PQerrorMessage (*hornet_pq_fns.PQerrorMessage)
#define PQexec (*hornet_pq_fns.PQexec)
#define PQexecPrepared (*hornet_pq_fns.PQexecPrepared)
#define PQfinish (*hornet_pq_fns.PQfinish)
#define PQfreemem (*hornet_pq_fns.PQfreemem)
#define PQftype (*hornet_pq_fns.PQftype)
#define PQgetResult (*hornet_pq_fns.PQgetResult)
#define PQgetisnull (*hornet_pq_fns.PQgetisnull)
#define PQgetlength (*hornet_pq_fns.PQgetlength)
#define PQgetvalue (*hornet_pq_fns.PQgetvalue)
#define PQnfields (*hornet_pq_fns.PQnfields)
#define PQntuples (*hornet_pq_fns.PQntuples)
#define PQprepare (*hornet_pq_fns.PQprepare)
#define PQputCopyData (*hornet_pq_fns.PQputCopyData)
#define PQputCopyEnd (*hornet_pq_fns.PQputCopyEnd)
#define PQresultErrorField (*hornet_pq_fns.PQresultErrorField)
#define PQresultErrorMessage (*hornet_pq_fns.PQresultErrorMessage)
#define PQresultStatus (*hornet_pq_fns.PQresultStatus)
#define PQserverVersion (*hornet_pq_fns.PQserverVersion)
#define PQsetNoticeProcessor (*hornet_pq_fns.PQsetNoticeProcessor)
#define PQstatus (*hornet_pq_fns.PQstatus)
#define PQtransactionStatus (*hornet_pq_fns.PQtransactionStatus)

#endif /* HORNET_STORE_PQ_DL_H */
