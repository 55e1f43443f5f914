// SPDX-License-Identifier: GPL-2.0
// Policies: state, mode (switchable), counters, kernel memory; add one from
// YAML with the line of any error marked; delete.
import { h, s, replace, fv, errorBox, message, fmtBytes } from '../dom.js';
import * as api from '../api.js';

export const title = 'Policies';
export const fields = [];

const STATS = [['matches', 'matches'], ['events_posted', 'events'], ['actions_taken', 'actions'],
	['actions_skipped_monitor', 'skipped (monitor)'], ['rate_limited', 'rate limited'],
	['events_lost', 'lost']];

const EXAMPLE = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: passwd-opens
spec:
  kprobes:
  - call: sys_openat
    syscall: true
    args:
    - index: 0
      type: int
    - index: 1
      type: string
    - index: 2
      type: int
    selectors:
    - matchArgs:
      - index: 1
        operator: Equal
        values:
        - /etc/passwd
`;

// Matches over time: the counter read at each refresh while the page is open
// (the store keeps events, not counters).
const SAMPLES = 60;
const seen = new Map(); // policy name -> [{t, n}]

function sparkline(pol) {
	const n = (pol.stats || {}).matches;
	if (n === undefined)
		return null;
	const list = seen.get(pol.name) || [];
	list.push({ t: Date.now(), n });
	if (list.length > SAMPLES)
		list.shift();
	seen.set(pol.name, list);
	const rates = list.slice(1).map((x, i) => Math.max(0, x.n - list[i].n) / Math.max(0.001,
		(x.t - list[i].t) / 1000));
	const max = Math.max(1e-9, ...rates);
	const W = 120, H = 22;
	const pts = rates.map((r, i) => `${(i / Math.max(1, SAMPLES - 2)) * W},${H - (r / max) * (H - 2) - 1}`);
	return s('svg', { class: 'spark', viewBox: `0 0 ${W} ${H}`, width: W, height: H },
		s('title', null, rates.length ? `matches per second while this page was open: last ` +
			`${rates[rates.length - 1].toFixed(1)}, max ${max.toFixed(1)}` : 'counting…'),
		pts.length > 1 ? s('polyline', { points: pts.join(' ') }) : null);
}

function modeSwitch(pol, refresh, note) {
	const sel = h('select', { class: 'mode', dataset: { policy: pol.name },
		onchange: async () => {
			sel.disabled = true;
			try {
				await api.call('PUT', 'policies/' + encodeURIComponent(pol.name) + '/mode', null,
					{ mode: sel.value });
				replace(note, 'policy ' + pol.name + ': mode ' + sel.value);
			} catch (e) {
				replace(note, errorBox(e));
			}
			refresh();
		} },
	['monitor', 'enforce'].map(m => h('option', { value: m, selected: pol.mode === m }, m)));
	return sel;
}

function hooks(pol) {
	return (pol.hooks || []).map(k => h('div', { class: 'hook' }, k.hook || k.kind, ' ',
		h('span', { class: 'muted' }, k.mechanism || '')));
}

function adder(refresh) {
	const gutter = h('pre', { class: 'gutter', id: 'policy-gutter' });
	const text = h('textarea', { id: 'policy-yaml', spellcheck: false, rows: 20, cols: 80,
		placeholder: EXAMPLE });
	const mode = h('select', { id: 'policy-mode' }, h('option', { value: '' }, 'mode: as written'),
		h('option', { value: 'monitor' }, 'monitor'), h('option', { value: 'enforce' }, 'enforce'));
	const out = h('div', { id: 'policy-add-result' });
	let bad = 0;
	const numbers = () => {
		const n = Math.max(1, text.value.split('\n').length);
		replace(gutter, Array.from({ length: n }, (_, i) =>
			h('span', { class: i + 1 === bad ? 'bad-line' : null }, String(i + 1) + '\n')));
	};
	text.addEventListener('input', () => {
		bad = 0;
		numbers();
	});
	text.addEventListener('scroll', () => {
		gutter.scrollTop = text.scrollTop;
	});
	numbers();
	const form = h('form', { class: 'policy-add', onsubmit: async e => {
		e.preventDefault();
		try {
			const r = await api.call('POST', 'policies', mode.value ? { mode: mode.value } : null,
				text.value, 'application/yaml');
			bad = 0;
			replace(out, h('p', { class: 'ok' }, 'added ' + ((r && r.name) || '')));
			refresh();
		} catch (x) {
			// The error names the line as `hornet policy add` does: "...:LINE: ..." or "line N".
			const m = /line (\d+)|:(\d+)(?::\d+)?:/.exec(x.message);
			bad = m ? +(m[1] || m[2]) : 0;
			replace(out, h('p', { class: 'error', id: 'policy-error' }, x.message),
				bad ? h('p', { class: 'error', id: 'policy-error-line' }, 'line ' + bad + ': ',
					h('code', null, text.value.split('\n')[bad - 1] || '')) : null);
			if (bad) {
				const lines = text.value.split('\n');
				const start = lines.slice(0, bad - 1).reduce((a, l) => a + l.length + 1, 0);
				text.focus();
				text.setSelectionRange(start, start + (lines[bad - 1] || '').length);
			}
		}
		numbers();
	} }, h('h2', null, 'Add a policy'), h('div', { class: 'editor' }, gutter, text),
	h('p', null, mode, ' ', h('button', { type: 'submit', id: 'policy-add' }, 'add'), ' ',
		h('button', { type: 'button', onclick: () => {
			text.value = EXAMPLE;
			numbers();
		} }, 'example')), out);
	return form;
}

export function mount(root, ctx) {
	const list = h('div', { id: 'policies-list' });
	const note = h('div', { id: 'policies-note' });
	let closed = false, timer = 0;
	async function refresh() {
		let r;
		try {
			r = await api.get('policies');
		} catch (e) {
			if (!closed)
				replace(list, errorBox(e));
			return;
		}
		if (closed)
			return;
		const pols = (r && r.policies) || [];
		if (!pols.length) {
			replace(list, message('No policy loaded.'));
			return;
		}
		const body = h('tbody');
		for (const pol of pols) {
			const st = pol.stats || {};
			body.appendChild(h('tr', { dataset: { policy: pol.name },
				class: pol.state === 'enabled' ? null : 'bad' },
			h('td', null, fv('policy', pol.name)),
			h('td', null, pol.state || '', pol.error ? h('div', { class: 'error' }, pol.error) : null,
				pol.update_error ? h('div', { class: 'error' }, pol.update_error) : null),
			h('td', null, modeSwitch(pol, refresh, note)),
			h('td', { class: 'muted' }, [pol.source, pol.namespace ? 'namespace ' + pol.namespace :
				'', pol.scope].filter(Boolean).join(' · ')),
			h('td', null, hooks(pol)),
			h('td', null, sparkline(pol)),
			STATS.map(([k]) => h('td', { class: 'num' }, st[k] === undefined ? '' : String(st[k]))),
			h('td', { class: 'num' }, fmtBytes(pol.kernel_memory_bytes)),
			h('td', null, h('a', { href: '#/live?policy=' + encodeURIComponent(pol.name) }, 'events'),
				' ', h('button', { type: 'button', class: 'danger', onclick: async () => {
					if (!confirm('Delete policy ' + pol.name + '?'))
						return;
					try {
						await api.call('DELETE', 'policies/' + encodeURIComponent(pol.name));
						replace(note, 'deleted ' + pol.name);
					} catch (e) {
						replace(note, errorBox(e));
					}
					refresh();
				} }, 'delete'))));
		}
		replace(list, h('table', { class: 'grid', id: 'policies-table' }, h('thead', null, h('tr', null,
			['name', 'state', 'mode', 'source', 'hooks', 'matches/s', ...STATS.map(x => x[1]),
				'kernel memory', '']
				.map(c => h('th', null, c)))), body));
	}
	replace(root, h('h1', null, 'Policies'), note, list, adder(refresh));
	refresh();
	// Counters move; a select the user is on is left alone.
	timer = setInterval(() => {
		if (!list.contains(document.activeElement))
			refresh();
	}, 5000);
	return () => {
		closed = true;
		clearInterval(timer);
	};
}
