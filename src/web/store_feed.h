/* SPDX-License-Identifier: GPL-2.0 */
/* Live events from the store, for `hornet ui` (no agent to publish them). */
#ifndef HORNET_WEB_STORE_FEED_H
#define HORNET_WEB_STORE_FEED_H

struct hornet_store;
struct web_live;
struct web_store_feed;

/* Polls @store while @live has clients; NULL with errno set. */
struct web_store_feed *web_store_feed__start(struct hornet_store *store, struct web_live *live);
void web_store_feed__stop(struct web_store_feed *f);

#endif
