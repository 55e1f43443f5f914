// SPDX-License-Identifier: GPL-2.0
// The process tree of a pod or of the host, each process with marks for
// its file, network and policy events; a click shows all it did.
import { h, replace, fv, errorBox, message } from '../dom.js';
import * as api from '../api.js';
import { openProcess, marks } from '../drawer.js';
import { paramForm } from './common.js';

export const title = 'Processes';
export const fields = ['namespace', 'pod', 'binary'];

const MAX_SHOWN = 3000;

function build(procs) {
	const byId = new Map(procs.map(p => [p.exec_id, { p, kids: [] }]));
	const roots = [];
	for (const n of byId.values()) {
		const parent = byId.get(n.p.parent_exec_id);
		if (parent && parent !== n)
			parent.kids.push(n);
		else
			roots.push(n);
	}
	const byStart = (a, b) => String(a.p.start_time).localeCompare(String(b.p.start_time));
	for (const n of byId.values())
		n.kids.sort(byStart);
	roots.sort(byStart);
	return roots;
}

function render(nodes, budget) {
	const ul = h('ul', { class: 'tree' });
	for (const n of nodes) {
		if (budget.left-- <= 0)
			break;
		const p = n.p;
		const li = h('li', { dataset: { exec: p.exec_id } },
			h('div', { class: 'tnode clickable' + (p.marks && p.marks.killed ? ' bad' : ''),
				onclick: e => {
					if (!e.target.closest('[data-field]'))
						openProcess(p.exec_id);
				} },
			h('span', { class: 'muted' }, String(p.pid), ' '), fv('binary', p.binary), ' ',
			h('span', { class: 'args' }, p.arguments || ''), ' ', marks(p.marks),
			p.exit_time ? null : h('span', { class: 'mark running' }, 'running')),
			n.kids.length ? render(n.kids, budget) : null);
		ul.appendChild(li);
	}
	return ul;
}

export function mount(root, ctx) {
	const p = ctx.params;
	const out = h('div', { id: 'tree-result' });
	replace(root, h('h1', null, 'Process tree'),
		paramForm('tree-form', ctx, [['namespace', 'namespace'], ['pod', 'pod'],
			['host', 'the host (no pod)', 'checkbox']]), out);
	if (!p.pod && p.host !== '1') {
		replace(out, message('Give a pod (and its namespace), or tick the host.'));
		return null;
	}
	let closed = false;
	(async () => {
		let r;
		try {
			r = await api.get('processes', Object.assign(ctx.common(), p.host === '1' ?
				{ host: 1, limit: 1000 } : { namespace: p.namespace, pod: p.pod, limit: 1000 }));
		} catch (e) {
			if (!closed)
				replace(out, errorBox(e));
			return;
		}
		if (closed)
			return;
		const procs = (r && r.processes) || [];
		const budget = { left: MAX_SHOWN };
		replace(out, h('p', { class: 'summary', id: 'tree-summary' }, procs.length + ' processes' +
			(procs.length > MAX_SHOWN ? ', the first ' + MAX_SHOWN + ' shown' : '')),
		procs.length ? render(build(procs), budget) : message('No process in this range.'));
	})();
	return () => {
		closed = true;
	};
}
