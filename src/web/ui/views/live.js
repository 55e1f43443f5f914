// SPDX-License-Identifier: GPL-2.0
// Live events: the recent history, then the stream (EventSource on
// /api/v1/events/stream with the same filters). Built to keep up with 1,000
// events per second: events are queued as they come and drawn once per
// frame (requestAnimationFrame), at most MAX_ROWS rows stay in the table.
import { h, replace, fv, shortTime, errorBox } from '../dom.js';
import * as api from '../api.js';
import { TYPES, ACTIONS, FILTERS, typeOf, bodyOf, procOf, namespaceOf, podOf, pathOf, destOf,
	summaryOf, matches, cliCommand } from '../events.js';
import { openEvent } from '../drawer.js';

export const title = 'Live events';
export const fields = FILTERS;

const MAX_ROWS = 500;
const PER_FRAME = 200; // rows drawn in one frame at most; the rest wait (newest kept)
const FRAME_MS = 1000 / 60;

// Counters the browser tests and bench/ui read (frames dropped counted in the page).
const perf = window.hornetPerf = window.hornetPerf || {};

function resetPerf() {
	Object.assign(perf, { received: 0, rendered: 0, skipped: 0, frames: 0, dropped_frames: 0,
		longest_frame_ms: 0, started: performance.now() });
}

function filterForm(ctx, f) {
	const inputs = {};
	const text = (k, ph) => (inputs[k] = h('input', { name: k, id: 'f-' + k, value: f[k] || '',
		placeholder: ph, size: 12 }));
	const select = (k, opts) => (inputs[k] = h('select', { name: k, id: 'f-' + k },
		h('option', { value: '' }, k + ': any'),
		opts.map(o => h('option', { value: o, selected: f[k] === o },
			o.replace(/^process_|^KPROBE_ACTION_/, ''))),
		f[k] && !opts.includes(f[k]) ? h('option', { value: f[k], selected: true }, f[k]) : null));
	const form = h('form', { class: 'filters', id: 'live-filters', onsubmit: e => {
		e.preventDefault();
		const ch = {};
		for (const k of FILTERS)
			ch[k] = inputs[k].value.trim();
		ctx.setParams(ch);
	} },
	select('type', TYPES), text('policy', 'policy'), select('action', ACTIONS),
	text('namespace', 'namespace'), text('pod', 'pod'), text('container', 'container'),
	text('binary', 'binary or */glob'), text('path', 'path or /glob*'),
	text('dest', 'IP, IP:port, name'), text('q', 'text'),
	h('button', { type: 'submit', id: 'f-apply' }, 'filter'),
	h('button', { type: 'button', onclick: () => {
		const ch = {};
		for (const k of FILTERS)
			ch[k] = '';
		ctx.setParams(ch);
	} }, 'clear'));
	// A select applies at once.
	for (const k of ['type', 'action'])
		inputs[k].addEventListener('change', () => form.requestSubmit());
	return form;
}

function row(ev) {
	const b = bodyOf(ev);
	const p = b.process || {};
	const t = typeOf(ev);
	const path = pathOf(ev);
	const dest = destOf(ev);
	const tr = h('tr', { class: 'clickable ev-' + t.replace(/^process_/, '') +
		(b.action === 'KPROBE_ACTION_SIGKILL' || b.action === 'KPROBE_ACTION_OVERRIDE' ? ' bad' : '') },
	h('td', null, shortTime(ev.time)),
	h('td', null, fv('type', t, t.replace(/^process_/, ''))),
	h('td', null, fv('namespace', namespaceOf(p)), namespaceOf(p) ? '/' : '', fv('pod', podOf(p))),
	h('td', { class: 'bin' }, fv('binary', p.binary), t === 'process_exec' ? null :
		h('span', { class: 'args muted' }, ' ' + (p.arguments || ''))),
	h('td', { class: 'what' }, path ? fv('path', path) : dest ? fv('dest', dest) : null,
		' ', h('span', { class: 'muted' }, path || dest ? summaryOf(ev).replace(path || dest, '') : summaryOf(ev))),
	h('td', null, fv('policy', b.policy_name)),
	h('td', null, fv('action', b.action, (b.action || '').replace(/^KPROBE_ACTION_/, ''))));
	tr.hornetEvent = ev;
	return tr;
}

function exportLinks(f, common) {
	const params = Object.assign({}, common, f, { limit: 1000 });
	const cli = cliCommand(f);
	return h('div', { class: 'export', id: 'live-export' },
		h('a', { href: api.url('events', Object.assign({}, params, { format: 'jsonl' })),
			download: 'hornet-events.jsonl', id: 'export-jsonl' }, 'export JSON lines'), ' ',
		h('a', { href: api.url('events', Object.assign({}, params, { format: 'csv' })),
			download: 'hornet-events.csv', id: 'export-csv' }, 'export CSV'), ' ',
		h('code', { id: 'cli-command', title: 'the same events from the command line' }, cli.cmd),
		cli.unsupported.length ? h('span', { class: 'muted' },
			' (no flag for ' + cli.unsupported.join(', ') + ')') : null);
}

export function mount(root, ctx) {
	const f = {};
	for (const k of FILTERS)
		if (ctx.params[k])
			f[k] = ctx.params[k];
	resetPerf();
	let paused = false, closed = false, es = null, rafId = 0, tickId = 0, last = 0;
	let queue = []; // events waiting for the next frame (newest last)
	let held = 0; // events received while paused, not shown
	const body = h('tbody', { id: 'live-rows' });
	const state = h('span', { class: 'state', id: 'live-state' }, 'loading');
	const counts = h('span', { class: 'counts', id: 'live-counts' });
	const pauseBtn = h('button', { type: 'button', id: 'live-pause', onclick: () => {
		paused = !paused;
		pauseBtn.textContent = paused ? 'resume' : 'pause';
		pauseBtn.classList.toggle('on', paused);
		if (!paused) {
			held = 0;
			schedule();
		}
	} }, 'pause');
	const err = h('div', { id: 'live-error' });
	replace(root, filterForm(ctx, f),
		h('div', { class: 'bar' }, pauseBtn, ' ', state, ' ', counts),
		exportLinks(f, ctx.common()), err,
		h('table', { class: 'grid live', id: 'live-table' }, h('thead', null, h('tr', null,
			['time', 'type', 'namespace/pod', 'binary', 'path / destination', 'policy', 'action']
				.map(c => h('th', null, c)))), body));
	body.addEventListener('click', e => {
		if (e.target.closest('[data-field]'))
			return;
		const tr = e.target.closest('tr');
		if (tr && tr.hornetEvent)
			openEvent(tr.hornetEvent);
	});

	function showCounts() {
		counts.textContent = `${perf.received} received, ${body.childElementCount} shown` +
			(held ? `, ${held} held while paused` : '') +
			(perf.skipped ? `, ${perf.skipped} skipped to keep up` : '');
	}

	function flush() {
		rafId = 0;
		if (closed || paused)
			return;
		let batch = queue;
		queue = [];
		// More than a frame can draw: keep the newest, count the rest.
		if (batch.length > PER_FRAME) {
			perf.skipped += batch.length - PER_FRAME;
			batch = batch.slice(batch.length - PER_FRAME);
		}
		const frag = document.createDocumentFragment();
		for (let i = batch.length - 1; i >= 0; i--)
			frag.appendChild(row(batch[i]));
		body.insertBefore(frag, body.firstChild);
		while (body.childElementCount > MAX_ROWS)
			body.removeChild(body.lastChild);
		perf.rendered += batch.length;
		showCounts();
	}

	function schedule() {
		if (!rafId && !closed)
			rafId = requestAnimationFrame(flush);
	}

	function add(ev, line) {
		if (!matches(ev, f, line))
			return;
		perf.received++;
		queue.push(ev);
		if (paused) {
			// Kept (the newest MAX_ROWS) and drawn on resume.
			held = Math.min(held + 1, MAX_ROWS);
			showCounts();
		}
		if (queue.length > MAX_ROWS) {
			perf.skipped += queue.length - MAX_ROWS;
			queue.splice(0, queue.length - MAX_ROWS);
		}
		if (!paused)
			schedule();
	}

	// Frames longer than one refresh interval, counted for the tests and bench.
	function tick(t) {
		if (closed)
			return;
		if (last) {
			const dt = t - last;
			perf.frames++;
			if (dt > perf.longest_frame_ms)
				perf.longest_frame_ms = dt;
			if (dt > FRAME_MS * 1.5)
				perf.dropped_frames += Math.round(dt / FRAME_MS) - 1;
		}
		last = t;
		tickId = requestAnimationFrame(tick);
	}
	tickId = requestAnimationFrame(tick);

	function connect() {
		const params = Object.assign({}, f, { exclusions: ctx.params.exclusions });
		es = new EventSource(api.url('events/stream', params));
		es.onopen = () => {
			state.textContent = 'live';
			state.className = 'state live';
		};
		es.onmessage = m => {
			let ev;
			try {
				ev = JSON.parse(m.data);
			} catch (e) {
				return;
			}
			add(ev, m.data);
		};
		es.onerror = () => {
			// EventSource reconnects by itself; say so.
			state.textContent = es.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting';
			state.className = 'state down';
		};
	}

	(async () => {
		// The recent history first (newest first), then live events on top.
		try {
			const r = await api.get('events', Object.assign({}, ctx.common(), f, { limit: 200 }));
			if (closed)
				return;
			const evs = (r && r.events) || [];
			for (let i = evs.length - 1; i >= 0; i--)
				queue.push(evs[i]);
			schedule();
		} catch (e) {
			if (!closed)
				replace(err, errorBox(e));
		}
		if (!closed)
			connect();
	})();

	return () => {
		closed = true;
		if (es)
			es.close();
		cancelAnimationFrame(rafId);
		cancelAnimationFrame(tickId);
	};
}
