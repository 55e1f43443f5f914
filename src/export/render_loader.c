// SPDX-License-Identifier: GPL-2.0
/*
 * process_loader events, as Tetragon's: the process, its parent, the path
 * of the file it mapped executable, and the file's build id (base64, as
 * Tetragon's JSON gives bytes) when the kernel read one.
 */
#include "export/event.h"
#include "export/json.h"
#include "util/base64.h"

void hornet_render_loader(struct hornet_json *j, const struct hornet_render_ctx *ctx,
			  const struct hornet_event *ev)
{
	const struct hornet_loader_event *le = &ev->loader;
	char id[64];

	hornet_json_obj_begin(j, NULL);
	hornet_json_obj_begin(j, hornet_event_type_name(ev));
	hornet_render_lineage_lean(j, ctx, ev);
	hornet_json_str(j, "path", le->path);
	if (le->build_id_size) {
		hornet_base64_encode(le->build_id,
				     le->build_id_size < sizeof(le->build_id)
					     ? le->build_id_size
					     : sizeof(le->build_id),
				     id, sizeof(id));
		hornet_json_str(j, "buildid", id);
	}
	hornet_json_obj_end(j);
	hornet_render_envelope(j, ctx, ev->ktime);
}
