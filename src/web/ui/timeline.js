// SPDX-License-Identifier: GPL-2.0
// The timeline of event counts over the range every view shares: stacked
// bars by event type, drawn as SVG; a click on a bar narrows the range to it.
import { h, s, replace, parseTime } from './dom.js';
import * as api from './api.js';

const W = 1000, H = 60;
let seq = 0;

export async function drawTimeline(el, params, onPick) {
	const mine = ++seq;
	let data;
	try {
		data = await api.get('timeline', {
			since: params.since || '-1h', until: params.until, exclusions: params.exclusions,
			namespace: params.namespace, pod: params.pod,
		});
	} catch (e) {
		if (mine === seq)
			replace(el, h('span', { class: 'muted' }, 'timeline: ' + e.message));
		return;
	}
	if (mine !== seq)
		return;
	const buckets = (data && data.buckets) || [];
	const totals = buckets.map(b => Object.values(b.counts || {}).reduce((a, n) => a + n, 0));
	const max = Math.max(1, ...totals);
	const types = [...new Set(buckets.flatMap(b => Object.keys(b.counts || {})))].sort();
	// The answer has only the buckets with events: place each by its time.
	const now = new Date();
	const t0 = parseTime(params.since || '-1h', now).getTime();
	const t1 = Math.max(t0 + 1000, parseTime(params.until, now).getTime());
	const step = (data.step || 60) * 1000;
	const span = t1 - t0;
	const bw = Math.max(1, (step / span) * W);
	const xOf = b => Math.min(W - bw, Math.max(0, ((new Date(b.time).getTime() - t0) / span) * W));
	const svg = s('svg', { viewBox: `0 0 ${W} ${H + 14}`, class: 'timeline', id: 'timeline-svg',
		preserveAspectRatio: 'none', role: 'img' });
	buckets.forEach((b, i) => {
		let y = H;
		const g = s('g', { class: 'bucket' });
		for (const t of types) {
			const n = (b.counts || {})[t] || 0;
			if (!n)
				continue;
			const bh = (n / max) * H;
			y -= bh;
			g.appendChild(s('rect', { x: xOf(b), y, width: Math.max(1, bw - 1), height: bh,
				class: 'tl-' + t.replace(/^process_/, '') }));
		}
		// The whole column takes the click, not only its bars.
		g.appendChild(s('rect', { x: xOf(b), y: 0, width: bw, height: H, class: 'hit' },
			s('title', null, b.time + ': ' + totals[i] + ' events')));
		g.addEventListener('click', () => {
			const t0 = new Date(b.time);
			onPick(t0.toISOString(), new Date(t0.getTime() + step).toISOString());
		});
		svg.appendChild(g);
	});
	svg.appendChild(s('text', { x: 0, y: H + 12, class: 'axis' },
		new Date(t0).toISOString().slice(0, 16).replace('T', ' ')));
	svg.appendChild(s('text', { x: W, y: H + 12, class: 'axis', 'text-anchor': 'end' },
		new Date(t1).toISOString().slice(0, 16).replace('T', ' ')));
	const legend = h('span', { class: 'legend' }, types.map(t =>
		h('span', { class: 'key tl-' + t.replace(/^process_/, '') }, t.replace(/^process_/, ''))));
	replace(el, svg, h('div', { class: 'tl-foot' },
		totals.reduce((a, n) => a + n, 0) + ' events, max ' + max + ' per ' + (data.step || '?') +
		' s ', legend));
}
