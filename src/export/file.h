/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON lines export file: mode 0600, appended to, rotated by size at a
 * line boundary (path -> path.1 -> path.2 ...), so every file holds only
 * whole lines; by time too, and compressed, when asked.
 */
#ifndef HORNET_EXPORT_FILE_H
#define HORNET_EXPORT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hornet_export_file;

/* @max_size 0 means never rotate. Returns NULL with errno set. */
struct hornet_export_file *hornet_export_file__open(const char *path, uint64_t max_size,
						    unsigned int max_backups);
/* Appends one line (@len bytes, the newline included). Returns 0 or -errno. */
int hornet_export_file__write(struct hornet_export_file *f, const char *line, size_t len);
int hornet_export_file__flush(struct hornet_export_file *f);

/*
 * Rotation by time too (--export-file-rotation-interval): @interval_ns
 * after the file was started (0: by size only); and @compress: each file
 * rotated becomes FILE.1.gz (gzip, then the plain copy is removed).
 */
void hornet_export_file__set_rotation(struct hornet_export_file *f, uint64_t interval_ns,
				      bool compress);
/* Rotates when the interval has passed and the file is not empty. 0 or -errno. */
int hornet_export_file__tick(struct hornet_export_file *f, uint64_t now_ns);
/* rotated files that could not be compressed (they stay plain) */
uint64_t hornet_export_file__compress_errors(const struct hornet_export_file *f);
void hornet_export_file__close(struct hornet_export_file *f);

uint64_t hornet_export_file__rotations(const struct hornet_export_file *f);
uint64_t hornet_export_file__errors(const struct hornet_export_file *f);
/* lines (events) that could not be written: disk full, file or directory gone */
uint64_t hornet_export_file__lost(const struct hornet_export_file *f);
/* 0 if the last write, flush or open succeeded, else its -errno */
int hornet_export_file__last_error(const struct hornet_export_file *f);

#endif
