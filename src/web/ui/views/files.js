// SPDX-License-Identifier: GPL-2.0
// "Who touched this file": a path or a glob in, every process that touched
// it out, with its pod, command line, parents, call, access and action.
import { h, replace, fv, dateTime, table, errorBox, message } from '../dom.js';
import * as api from '../api.js';
import { openProcess } from '../drawer.js';
import { paramForm, exportBar, pager, parentsText } from './common.js';

export const title = 'Files';
export const fields = ['path', 'namespace', 'pod', 'binary'];

const COLS = [
	['path', r => r.path], ['node', r => r.node], ['namespace', r => r.namespace],
	['pod', r => r.pod], ['binary', r => r.binary], ['arguments', r => r.arguments],
	['parents', r => parentsText(r.parents)], ['call', r => r.call], ['access', r => r.access],
	['action', r => r.action], ['policy', r => r.policy], ['count', r => r.count],
	['first_seen', r => r.first_seen], ['last_seen', r => r.last_seen],
];

export function mount(root, ctx) {
	const p = ctx.params;
	const out = h('div', { id: 'files-result' });
	replace(root, h('h1', null, 'Who touched this file?'),
		paramForm('files-form', ctx, [['path', '/etc/passwd or /etc/*', 30], ['namespace', 'namespace'],
			['pod', 'pod'], ['binary', 'binary']]),
		h('p', { class: 'muted' }, 'Try ',
			h('a', { href: '#/files?path=%2Fetc%2Fpasswd' }, '/etc/passwd'), ', ',
			h('a', { href: '#/files?path=%2Fetc%2Fshadow' }, '/etc/shadow'), ', ',
			h('a', { href: '#/files?path=%2Fetc%2F*' }, '/etc/*')),
		out);
	if (!p.path) {
		replace(out, message('Give a path or a glob.'));
		return null;
	}
	let closed = false;
	(async () => {
		let r;
		try {
			r = await api.get('files', Object.assign(ctx.common(), {
				path: p.path, namespace: p.namespace, pod: p.pod, binary: p.binary, cursor: p.cursor,
			}));
		} catch (e) {
			if (!closed)
				replace(out, errorBox(e));
			return;
		}
		if (closed)
			return;
		const rows = (r && r.files) || [];
		replace(out, h('p', { class: 'summary', id: 'files-summary' },
			rows.length + ' rows for ' + p.path), exportBar('hornet-files', rows, COLS),
		rows.length ? table([
			{ label: 'path', cell: x => fv('path', x.path), cls: 'path' },
			{ label: 'pod', cell: x => [fv('namespace', x.namespace), x.namespace ? '/' : '',
				fv('pod', x.pod, x.pod || (x.namespace ? '' : 'host'))] },
			{ label: 'binary', cell: x => fv('binary', x.binary), cls: 'bin' },
			{ label: 'arguments', cell: x => x.arguments || '', cls: 'args' },
			{ label: 'parents', cell: x => parentsText(x.parents), cls: 'muted' },
			{ label: 'call', cell: x => x.call || '' },
			{ label: 'access', cell: x => h('span', { class: 'acc acc-' + x.access }, x.access || '') },
			{ label: 'action', cell: x => fv('action', x.action,
				(x.action || '').replace(/^KPROBE_ACTION_/, '')) },
			{ label: 'policy', cell: x => fv('policy', x.policy) },
			{ label: 'count', cell: x => String(x.count), cls: 'num' },
			{ label: 'first seen', cell: x => dateTime(x.first_seen) },
			{ label: 'last seen', cell: x => dateTime(x.last_seen) },
		], rows, x => openProcess(x.exec_id), 'files-table') : message('Nobody touched it in this range.'),
		pager(ctx, r.next_cursor));
	})();
	return () => {
		closed = true;
	};
}
