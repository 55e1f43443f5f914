// SPDX-License-Identifier: GPL-2.0
// A workload's profile: its binaries, files and destinations with counts,
// and what first appeared after a chosen time.
import { h, replace, fv, dateTime, table, errorBox, message } from '../dom.js';
import * as api from '../api.js';
import { paramForm } from './common.js';

export const title = 'Profile';
export const fields = ['namespace', 'pod', 'binary'];

const isNew = r => r.new ? h('span', { class: 'mark new' }, 'new') : '';

export function mount(root, ctx) {
	const p = ctx.params;
	const out = h('div', { id: 'profile-result' });
	replace(root, h('h1', null, 'Workload profile'),
		paramForm('profile-form', ctx, [['namespace', 'namespace'], ['pod', 'pod'],
			['binary', 'or a binary'], ['new_since', 'new since (-1h, RFC 3339)', 24]]), out);
	if (!p.pod && !p.binary) {
		replace(out, message('Give a pod (and its namespace) or a binary.'));
		return null;
	}
	let closed = false;
	(async () => {
		let r;
		try {
			r = await api.get('profile', Object.assign(ctx.common(), {
				namespace: p.namespace, pod: p.pod, binary: p.binary, new_since: p.new_since,
			}));
		} catch (e) {
			if (!closed)
				replace(out, errorBox(e));
			return;
		}
		if (closed)
			return;
		const seen = [{ label: 'count', cell: x => String(x.count), cls: 'num' },
			{ label: 'first seen', cell: x => dateTime(x.first_seen) },
			{ label: 'last seen', cell: x => dateTime(x.last_seen) },
			{ label: '', cell: isNew }];
		const bins = r.binaries || [], files = r.files || [], dests = r.destinations || [];
		const newCount = [...bins, ...files, ...dests].filter(x => x.new).length;
		replace(out, h('p', { class: 'summary', id: 'profile-summary' },
			`${bins.length} binaries, ${files.length} files, ${dests.length} destinations` +
			(p.new_since ? `, ${newCount} new since ${p.new_since}` : '')),
		h('h2', null, 'Binaries'), bins.length ? table([
			{ label: 'binary', cell: x => fv('binary', x.binary), cls: 'bin' }, ...seen], bins, null,
		'profile-binaries') : message('none'),
		h('h2', null, 'Files'), files.length ? table([
			{ label: 'path', cell: x => h('a', { href: '#/files?path=' + encodeURIComponent(x.path) },
				x.path) },
			{ label: 'access', cell: x => x.access || '' }, ...seen], files, null, 'profile-files') :
			message('none'),
		h('h2', null, 'Destinations'), dests.length ? table([
			{ label: 'destination', cell: x => fv('dest', x.daddr + ':' + x.dport) },
			{ label: 'DNS name', cell: x => x.dns_name || '' }, ...seen], dests, null,
		'profile-destinations') : message('none'));
	})();
	return () => {
		closed = true;
	};
}
