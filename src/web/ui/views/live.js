// SPDX-License-Identifier: GPL-2.0
// Live events: the recent history, then the stream (EventSource on
// /api/v1/events/stream with the same filters). Built to keep up with 1,000
// events per second: events are queued as they come and drawn once per
// frame (requestAnimationFrame), at most MAX_ROWS rows stay in the table.
import { h, replace, errorBox } from '../dom.js';
import * as api from '../api.js';
import { TYPES, ACTIONS, FILTERS, typeOf, bodyOf, procOf, namespaceOf, podOf, pathOf, destOf,
	summaryOf, matches, cliCommand } from '../events.js';
import { openEvent } from '../drawer.js';

export const title = 'Live events';
export const fields = FILTERS;

const MAX_ROWS = 1000; // events kept for the list (newest first)
const ROW_H = 21; // px, as in style.css (.lrow)
const FRAME_MS = 1000 / 60;
// The list is drawn at most ten times a second: nobody reads faster.
const FLUSH_MS = 100;

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

const COLS = [['time', 'time'], ['type', 'type'], ['pod', 'namespace/pod'], ['bin', 'binary'],
	['what', 'path / destination'], ['policy', 'policy'], ['action', 'action']];

// The list is virtual: a fixed pool of row elements, as many as the box
// shows, filled with the events at the scroll position. Drawing 1,000 events
// a second then costs a few dozen text updates per draw, whatever the rate.
const CELLS = ['time', 'type', 'pod', 'bin', 'what', 'policy', 'action'];

function poolRow() {
	const div = document.createElement('div');
	div.className = 'lrow';
	div.cells = {};
	for (const c of CELLS) {
		const el = document.createElement('span');
		el.className = 'c-' + c;
		div.appendChild(el);
		div.cells[c] = el;
	}
	// The binary filters by itself; the arguments after it are plain text.
	const b = document.createElement('span');
	b.className = 'c-b fv';
	div.cells.b = b;
	div.cells.args = document.createTextNode('');
	div.cells.bin.append(b, div.cells.args);
	return div;
}

function setCell(el, text, field, value) {
	el.textContent = text;
	if (field && value) {
		el.dataset.field = field;
		el.dataset.value = value;
		el.classList.add('fv');
	} else {
		delete el.dataset.field;
		delete el.dataset.value;
		el.classList.remove('fv');
	}
}

function fill(div, ev) {
	div.hornetEvent = ev;
	if (!ev) {
		if (!div.hidden) {
			div.hidden = true;
			for (const c of CELLS)
				setCell(div.cells[c], '');
			div.cells.bin.append(div.cells.b, div.cells.args);
		}
		return;
	}
	div.hidden = false;
	const b = bodyOf(ev);
	const p = b.process || {};
	const t = typeOf(ev);
	const path = pathOf(ev);
	const dest = destOf(ev);
	const summary = summaryOf(ev);
	const ns = namespaceOf(p), pod = podOf(p);
	const c = div.cells;
	div.className = 'lrow clickable ev-' + t.replace(/^process_/, '') +
		(b.action === 'KPROBE_ACTION_SIGKILL' || b.action === 'KPROBE_ACTION_OVERRIDE' ? ' bad' : '');
	setCell(c.time, ev.time ? ev.time.slice(11, 23) : '');
	setCell(c.type, t.replace(/^process_/, ''), 'type', t);
	setCell(c.pod, pod ? (ns ? ns + '/' : '') + pod : ns, pod ? 'pod' : 'namespace', pod || ns);
	setCell(c.b, p.binary || '', 'binary', p.binary);
	c.args.data = t !== 'process_exec' && p.arguments ? ' ' + p.arguments : '';
	setCell(c.what, path || dest ? (path || dest) + ' ' + summary.replace(path || dest, '').trim() :
		summary, path ? 'path' : 'dest', path || dest);
	setCell(c.policy, b.policy_name || '', 'policy', b.policy_name);
	setCell(c.action, (b.action || '').replace(/^KPROBE_ACTION_/, ''), 'action', b.action);
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
	let queue = []; // events waiting for the next draw (newest last)
	let events = []; // the list (newest first)
	let held = 0; // events received while paused, not shown
	const spacer = h('div', { class: 'lspacer' });
	const win = h('div', { class: 'lwin' });
	const body = h('div', { class: 'lrows', id: 'live-rows' }, spacer, win);
	let pool = [];
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
		h('div', { class: 'live', id: 'live-table' },
			h('div', { class: 'lrow lhead' }, COLS.map(([c, label]) => h('span', { class: 'c-' + c },
				label))), body));
	body.addEventListener('click', e => {
		if (e.target.closest('[data-field]'))
			return;
		const r = e.target.closest('.lrow');
		if (r && r.hornetEvent)
			openEvent(r.hornetEvent);
	});

	function showCounts() {
		counts.textContent = `${perf.received} received, ${events.length} listed` +
			(held ? `, ${held} held while paused` : '') +
			(perf.skipped ? `, ${perf.skipped} skipped to keep up` : '');
	}

	// The rows at the scroll position.
	function draw() {
		const want = Math.ceil((body.clientHeight || 600) / ROW_H) + 2;
		while (pool.length < want) {
			const r = poolRow();
			pool.push(r);
			win.appendChild(r);
		}
		const first = Math.min(Math.floor(body.scrollTop / ROW_H), Math.max(0, events.length - 1));
		win.style.transform = `translateY(${first * ROW_H}px)`;
		for (let i = 0; i < pool.length; i++)
			fill(pool[i], events[first + i]);
	}
	body.addEventListener('scroll', draw, { passive: true });

	let lastFlush = 0;

	function flush(t) {
		rafId = 0;
		if (closed || paused)
			return;
		if (t - lastFlush < FLUSH_MS) {
			schedule();
			return;
		}
		lastFlush = t;
		const batch = queue;
		queue = [];
		batch.reverse();
		events = batch.concat(events);
		if (events.length > MAX_ROWS)
			events.length = MAX_ROWS;
		// Someone reading further down keeps the same rows in view.
		if (body.scrollTop > 0)
			body.scrollTop += batch.length * ROW_H;
		spacer.style.height = events.length * ROW_H + 'px';
		draw();
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
			// Signed out: the login form is up, and the view is drawn again after it.
			if (e.status === 401)
				return;
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
