/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON lines export file: mode 0600, appended to, rotated by size at a
 * line boundary (path -> path.1 -> path.2 ...), so every file holds only
 * whole lines.
 */
#ifndef HORNET_EXPORT_FILE_H
#define HORNET_EXPORT_FILE_H

#include <stddef.h>
#include <stdint.h>

struct hornet_export_file;

/* @max_size 0 means never rotate. Returns NULL with errno set. */
struct hornet_export_file *hornet_export_file__open(const char *path, uint64_t max_size,
						    unsigned int max_backups);
/* Appends one line (@len bytes, the newline included). Returns 0 or -errno. */
int hornet_export_file__write(struct hornet_export_file *f, const char *line, size_t len);
int hornet_export_file__flush(struct hornet_export_file *f);
void hornet_export_file__close(struct hornet_export_file *f);

uint64_t hornet_export_file__rotations(const struct hornet_export_file *f);
uint64_t hornet_export_file__errors(const struct hornet_export_file *f);
/* lines (events) that could not be written: disk full, file or directory gone */
uint64_t hornet_export_file__lost(const struct hornet_export_file *f);
/* 0 if the last write, flush or open succeeded, else its -errno */
int hornet_export_file__last_error(const struct hornet_export_file *f);

#endif
