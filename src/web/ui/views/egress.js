// SPDX-License-Identifier: GPL-2.0
// Egress: where each pod's processes connect, as a table and as a graph
// pod -> binary -> destination; a row opens the process, its command line
// and its parents.
import { h, s, replace, fv, dateTime, table, errorBox, message, fmtBytes } from '../dom.js';
import * as api from '../api.js';
import { openProcess } from '../drawer.js';
import { paramForm, exportBar, pager, parentsText } from './common.js';

export const title = 'Egress';
export const fields = ['namespace', 'pod', 'binary', 'dest'];

const COLS = [
	['node', r => r.node], ['namespace', r => r.namespace], ['pod', r => r.pod],
	['binary', r => r.binary], ['arguments', r => r.arguments],
	['parents', r => parentsText(r.parents)], ['daddr', r => r.daddr], ['dport', r => r.dport],
	['protocol', r => r.protocol], ['dns_name', r => r.dns_name], ['http_host', r => r.http_host],
	['tls_server_name', r => r.tls_server_name], ['connections', r => r.connections],
	['bytes_sent', r => r.bytes_sent], ['bytes_received', r => r.bytes_received],
	['first_seen', r => r.first_seen], ['last_seen', r => r.last_seen],
];

const podName = r => r.pod ? (r.namespace ? r.namespace + '/' : '') + r.pod : 'host';
const destName = r => {
	const name = r.dns_name || r.http_host || r.tls_server_name;
	const addr = (String(r.daddr).includes(':') ? '[' + r.daddr + ']' : r.daddr) + ':' + r.dport;
	return name ? name + ' (' + addr + ')' : addr;
};

const MAX_NODES = 40; // per column; the rest are summed into "N more"
const ROW_H = 22, COL_W = 330, PAD = 8;

// Three columns of nodes, edges weighted by connections.
function graph(rows) {
	const cols = [new Map(), new Map(), new Map()];
	const keyOf = [podName, r => r.binary || '?', destName];
	const fieldOf = [r => r.pod ? ['pod', r.pod] : null, r => ['binary', r.binary],
		r => ['dest', r.daddr + ':' + r.dport]];
	const edges = new Map();
	for (const r of rows) {
		const ks = keyOf.map((f, i) => {
			const k = f(r);
			const c = cols[i];
			if (!c.has(k) && c.size >= MAX_NODES)
				return null;
			if (!c.has(k))
				c.set(k, { n: 0, y: 0, field: fieldOf[i](r) });
			c.get(k).n += r.connections || 1;
			return k;
		});
		for (let i = 0; i < 2; i++) {
			if (ks[i] === null || ks[i + 1] === null)
				continue;
			const e = i + '\u0000' + ks[i] + '\u0000' + ks[i + 1];
			edges.set(e, (edges.get(e) || 0) + (r.connections || 1));
		}
	}
	const height = Math.max(...cols.map(c => c.size), 1) * ROW_H + 2 * PAD;
	const svg = s('svg', { viewBox: `0 0 ${3 * COL_W} ${height}`, class: 'egress-graph',
		id: 'egress-graph', width: 3 * COL_W, height });
	cols.forEach((c, i) => {
		let y = PAD + ROW_H / 2;
		for (const node of c.values()) {
			node.y = y;
			y += ROW_H;
		}
	});
	const max = Math.max(1, ...edges.values());
	for (const [e, n] of edges) {
		const [i, a, b] = e.split('\u0000');
		const x1 = +i * COL_W + COL_W - 30, x2 = (+i + 1) * COL_W;
		const y1 = cols[+i].get(a).y, y2 = cols[+i + 1].get(b).y;
		const mx = (x1 + x2) / 2;
		svg.appendChild(s('path', { d: `M${x1} ${y1} C${mx} ${y1} ${mx} ${y2} ${x2} ${y2}`,
			class: 'edge', 'stroke-width': 1 + 5 * Math.log1p(n) / Math.log1p(max) },
		s('title', null, a + ' → ' + b + ': ' + n + ' connections')));
	}
	cols.forEach((c, i) => {
		for (const [k, node] of c) {
			const g = s('g', { class: 'node col' + i });
			g.appendChild(s('circle', { cx: i * COL_W + 4, cy: node.y, r: 4 }));
			const t = s('text', { x: i * COL_W + 12, y: node.y + 4 },
				k.length > 44 ? k.slice(0, 43) + '…' : k, s('title', null, k + ': ' + node.n));
			if (node.field) {
				t.dataset.field = node.field[0];
				t.dataset.value = String(node.field[1]);
				t.setAttribute('class', 'fv');
			}
			g.appendChild(t);
			svg.appendChild(g);
		}
	});
	return h('div', { class: 'graph-box' }, svg);
}

export function mount(root, ctx) {
	const p = ctx.params;
	const out = h('div', { id: 'egress-result' });
	replace(root, h('h1', null, 'Egress'),
		paramForm('egress-form', ctx, [['namespace', 'namespace'], ['pod', 'pod'],
			['binary', 'binary'], ['dest', 'IP, IP:port, name']]), out);
	let closed = false;
	(async () => {
		let r;
		try {
			r = await api.get('egress', Object.assign(ctx.common(), {
				namespace: p.namespace, pod: p.pod, binary: p.binary, dest: p.dest, cursor: p.cursor,
				limit: 1000,
			}));
		} catch (e) {
			if (!closed)
				replace(out, errorBox(e));
			return;
		}
		if (closed)
			return;
		const rows = (r && r.egress) || [];
		if (!rows.length) {
			replace(out, message('No connections in this range.'));
			return;
		}
		replace(out, h('p', { class: 'summary', id: 'egress-summary' }, rows.length + ' rows'),
			graph(rows), exportBar('hornet-egress', rows, COLS),
			table([
				{ label: 'pod', cell: x => [fv('namespace', x.namespace), x.namespace ? '/' : '',
					fv('pod', x.pod, x.pod || (x.namespace ? '' : 'host'))] },
				{ label: 'binary', cell: x => fv('binary', x.binary), cls: 'bin' },
				{ label: 'arguments', cell: x => x.arguments || '', cls: 'args' },
				{ label: 'parents', cell: x => parentsText(x.parents), cls: 'muted' },
				{ label: 'destination', cell: x => fv('dest', x.daddr + ':' + x.dport,
					(String(x.daddr).includes(':') ? '[' + x.daddr + ']' : x.daddr) + ':' + x.dport) },
				{ label: 'proto', cell: x => x.protocol || '' },
				{ label: 'DNS name', cell: x => fv('dest', x.dns_name) },
				{ label: 'HTTP host', cell: x => x.http_host || '' },
				{ label: 'TLS name', cell: x => x.tls_server_name || '' },
				{ label: 'conns', cell: x => String(x.connections || 0), cls: 'num' },
				{ label: 'sent', cell: x => fmtBytes(x.bytes_sent), cls: 'num' },
				{ label: 'received', cell: x => fmtBytes(x.bytes_received), cls: 'num' },
				{ label: 'first seen', cell: x => dateTime(x.first_seen) },
				{ label: 'last seen', cell: x => dateTime(x.last_seen) },
			], rows, x => openProcess(x.exec_id), 'egress-table'),
			pager(ctx, r.next_cursor));
	})();
	return () => {
		closed = true;
	};
}
