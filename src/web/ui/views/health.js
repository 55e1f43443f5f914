// SPDX-License-Identifier: GPL-2.0
// Agent health from /api/v1/status (`hornet status -o json` plus http and
// store): events per second, losses by place, sensors, the store.
import { h, replace, errorBox, fmtBytes } from '../dom.js';
import * as api from '../api.js';

export const title = 'Health';
export const fields = [];

function total(obj) {
	return Object.values(obj || {}).reduce((a, v) => a + (typeof v === 'number' ? v : 0), 0);
}

// Every number of a nested object as "a.b.c" -> value rows.
function flat(obj, prefix, out) {
	for (const [k, v] of Object.entries(obj || {})) {
		if (v && typeof v === 'object' && !Array.isArray(v))
			flat(v, prefix + k + '.', out);
		else if (!Array.isArray(v))
			out.push([prefix + k, v]);
	}
	return out;
}

function kv(id, rows, fmt) {
	return h('table', { class: 'kv grid', id }, h('tbody', null, rows.map(([k, v]) =>
		h('tr', { class: /lost|dropped|error/.test(k) && v ? 'bad' : null },
			h('th', null, k), h('td', { class: 'num' }, fmt ? fmt(k, v) : String(v))))));
}

export function mount(root) {
	const out = h('div', { id: 'health-result' }, 'loading…');
	replace(root, h('h1', null, 'Agent health'), out);
	let closed = false, prev = null, timer = 0;
	async function refresh() {
		let r;
		try {
			r = await api.get('status');
		} catch (e) {
			if (!closed)
				replace(out, errorBox(e));
			return;
		}
		if (closed)
			return;
		const now = performance.now();
		const n = total(r.events);
		const rate = prev ? (n - prev.n) / ((now - prev.t) / 1000) : null;
		prev = { n, t: now };
		const store = r.store || {};
		replace(out,
			h('div', { class: 'tiles' },
				h('div', { class: 'tile', id: 'health-state' }, h('b', null, r.health || '?'),
					h('span', null, r.ready ? 'ready' : 'not ready')),
				h('div', { class: 'tile', id: 'health-rate' },
					h('b', null, rate === null ? '…' : rate.toFixed(1)), h('span', null, 'events/s')),
				h('div', { class: 'tile', id: 'health-lost' }, h('b', null, String(total(flat(r.lost, '', [])
					.reduce((o, [k, v]) => Object.assign(o, { [k]: v }), {})))), h('span', null, 'lost')),
				h('div', { class: 'tile', id: 'health-store' },
					h('b', null, store.bytes !== undefined ? fmtBytes(store.bytes) : 'none'),
					h('span', null, 'store' + (store.backend ? ' (' + store.backend + ')' : '') +
						(store.ok === false ? ': broken' : '')))),
			h('p', { class: 'muted' }, 'hornet ' + (r.version || '') + ' on ' + (r.node_name || '') +
				', pid ' + (r.pid || '') + ', up ' + Math.round(r.uptime_seconds || 0) + ' s'),
			store.error ? h('p', { class: 'error' }, 'store: ' + store.error) : null,
			h('h2', null, 'Sensors'),
			h('table', { class: 'grid', id: 'health-sensors' }, h('thead', null, h('tr', null,
				['sensor', 'state', 'mechanism', 'details'].map(c => h('th', null, c)))),
			h('tbody', null, (r.sensors || []).map(x => h('tr', { class: x.state === 'attached' ?
				null : 'bad' }, h('td', null, x.name || ''), h('td', null, x.state || ''),
			h('td', null, x.mechanism || x.error || ''),
			h('td', { class: 'muted' }, flat(x, '', []).filter(([k]) =>
				!['name', 'state', 'mechanism', 'error'].includes(k))
				.map(([k, v]) => k + ' ' + v).join(', ')))))),
			h('div', { class: 'cols' },
				h('div', null, h('h2', null, 'Events by type'), kv('health-events',
					Object.entries(r.events || {}))),
				h('div', null, h('h2', null, 'Losses'), kv('health-losses', flat(r.lost, '', []))),
				h('div', null, h('h2', null, 'Store'), kv('health-store-table', flat(store, '', []),
					(k, v) => k === 'bytes' ? fmtBytes(v) : String(v))),
				h('div', null, h('h2', null, 'HTTP'), kv('health-http', flat(r.http, '', []))),
				h('div', null, h('h2', null, 'Errors and cache'), kv('health-errors',
					flat(r.errors, 'errors.', []).concat(flat(r.process_cache, 'process_cache.', []))))));
	}
	refresh();
	// A second look soon, for the first events-per-second figure.
	const first = setTimeout(refresh, 1000);
	timer = setInterval(refresh, 2000);
	return () => {
		closed = true;
		clearTimeout(first);
		clearInterval(timer);
	};
}
