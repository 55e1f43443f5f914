// SPDX-License-Identifier: GPL-2.0
// The detail drawer: one event in full with its ancestry, or one process
// with its parents, children and everything it did.
import { h, replace, fv, shortTime, table, errorBox } from './dom.js';
import * as api from './api.js';
import { typeOf, procOf, summaryOf, namespaceOf, podOf } from './events.js';

function drawer() {
	return document.getElementById('drawer');
}

export function closeDrawer() {
	const d = drawer();
	if (d) {
		d.hidden = true;
		replace(d);
	}
}

function frame(title, ...body) {
	const d = drawer();
	replace(d, h('div', { class: 'drawer-head' }, h('h2', null, title),
		h('button', { type: 'button', class: 'close', id: 'drawer-close', title: 'close (Esc)',
			onclick: closeDrawer }, '×')), h('div', { class: 'drawer-body' }, body));
	d.hidden = false;
	return d;
}

const ARGS_SHOWN = 400; // characters of a parent's arguments (the title has them all)

function procLine(p, whole) {
	const args = p.arguments || '';
	return h('span', { class: 'proc' },
		fv('binary', p.binary), ' ', h('span', { class: 'args', title: args.length > ARGS_SHOWN ? args : null },
			whole || args.length <= ARGS_SHOWN ? args : args.slice(0, ARGS_SHOWN) + '…'),
		p.pid !== undefined ? h('span', { class: 'muted' }, ' pid ' + p.pid) : null);
}

// Saved exclusions: hide, never delete (docs/api.md).
function hideButton(field, value) {
	if (!value)
		return null;
	const b = h('button', { type: 'button', class: 'hide', onclick: async () => {
		try {
			await api.call('POST', 'exclusions', null, { field, value, note: 'from the drawer' });
			b.textContent = 'hidden: ' + field + ' ' + value;
			b.disabled = true;
		} catch (e) {
			b.textContent = e.message;
		}
	} }, 'hide ' + field + ' ' + value);
	return b;
}

function chain(ancestors, self) {
	// Root first, the process itself last, whichever order the answer has.
	if (self && ancestors.length > 1 && ancestors[0].exec_id === self.parent_exec_id)
		ancestors = ancestors.slice().reverse();
	const list = h('ol', { class: 'ancestry' });
	for (const p of ancestors)
		list.appendChild(h('li', { class: 'clickable', onclick: e => {
			if (!e.target.closest('[data-field]'))
				openProcess(p.exec_id);
		} }, procLine(p)));
	if (self)
		list.appendChild(h('li', { class: 'self' }, procLine(self, true)));
	return list;
}

function eventRows(events) {
	return table([
		{ label: 'time', cell: e => shortTime(e.time) },
		{ label: 'type', cell: e => fv('type', typeOf(e), typeOf(e).replace(/^process_/, '')) },
		{ label: 'what', cell: e => summaryOf(e) },
		{ label: 'policy', cell: e => fv('policy', (e[typeOf(e)] || {}).policy_name) },
		{ label: 'action', cell: e => fv('action', (e[typeOf(e)] || {}).action) },
	], events, openEvent);
}

export async function openEvent(ev) {
	const p = procOf(ev);
	const ancestry = h('div', { class: 'ancestry-box' }, 'loading the ancestry…');
	const d = frame(typeOf(ev).replace(/^process_/, '') + ' event',
		h('p', null, shortTime(ev.time), ' ', ev.node_name || '', ' ', summaryOf(ev)),
		h('h3', null, 'Process'), procLine(p),
		h('p', null, p.exec_id ? h('button', { type: 'button', id: 'drawer-process',
			onclick: () => openProcess(p.exec_id) }, 'everything this process did') : null,
		hideButton('binary', p.binary), hideButton('namespace', namespaceOf(p)),
		hideButton('pod', podOf(p))),
		h('h3', null, 'Ancestry'), ancestry,
		h('h3', null, 'Event'), h('pre', { class: 'json', id: 'drawer-json' },
			JSON.stringify(ev, null, 2)));
	d.dataset.exec = p.exec_id || '';
	if (!p.exec_id) {
		replace(ancestry, '');
		return;
	}
	try {
		const r = await api.get('processes/' + encodeURIComponent(p.exec_id));
		replace(ancestry, chain(r.ancestors || [], r.process || p));
	} catch (e) {
		// Without a store, the event's own parent is all there is.
		const parent = (ev[typeOf(ev)] || {}).parent;
		replace(ancestry, chain(parent ? [parent] : [], p), errorBox(e));
	}
}

export async function openProcess(execId) {
	const d = frame('Process', h('p', null, 'loading…'));
	let r;
	try {
		r = await api.get('processes/' + encodeURIComponent(execId));
	} catch (e) {
		frame('Process', errorBox(e));
		return;
	}
	const p = r.process || {};
	const m = p.marks || {};
	frame('Process ' + (p.pid !== undefined ? p.pid : ''),
		h('p', { class: 'cmdline', id: 'drawer-cmdline' }, p.binary || '', ' ', p.arguments || ''),
		h('dl', { class: 'kv' },
			['exec_id', 'node', 'pid', 'uid', 'cwd', 'namespace', 'pod', 'container', 'start_time',
				'exit_time', 'status', 'signal'].flatMap(k =>
				p[k] === undefined || p[k] === null || p[k] === '' ? [] :
					[h('dt', null, k), h('dd', null, ['namespace', 'pod', 'container'].includes(k) ?
						fv(k, p[k]) : String(p[k]))])),
		h('p', { class: 'marks' }, marks(m)),
		h('p', null, hideButton('binary', p.binary), hideButton('namespace', p.namespace)),
		h('h3', null, 'Parents'), chain(r.ancestors || [], p),
		h('h3', null, 'Children (' + (r.children || []).length + ')'),
		h('ul', { class: 'children' }, (r.children || []).map(c => h('li', { class: 'clickable',
			onclick: e => {
				if (!e.target.closest('[data-field]'))
					openProcess(c.exec_id);
			} }, procLine(c)))),
		h('h3', null, 'What it did (' + (r.events || []).length + ' events)'),
		eventRows(r.events || []));
	d.dataset.exec = execId;
}

export function marks(m) {
	const out = [];
	for (const [k, label] of [['files', 'files'], ['network', 'net'], ['policy', 'policy'],
		['killed', 'killed']])
		if (m && m[k])
			out.push(h('span', { class: 'mark mark-' + k, title: m[k] + ' ' + k + ' events' },
				label + ' ' + m[k]));
	return out;
}

