// SPDX-License-Identifier: GPL-2.0
// The timeline of event counts over the range every view shares: stacked
// bars by event type, drawn as SVG; a click on a bar narrows the range to it.
import { h, s, replace } from './dom.js';
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
	const bw = W / Math.max(1, buckets.length);
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
			g.appendChild(s('rect', { x: i * bw, y, width: Math.max(1, bw - 1), height: bh,
				class: 'tl-' + t.replace(/^process_/, '') }));
		}
		// The whole column takes the click, not only its bars.
		g.appendChild(s('rect', { x: i * bw, y: 0, width: bw, height: H, class: 'hit' },
			s('title', null, b.time + ': ' + totals[i] + ' events')));
		g.addEventListener('click', () => {
			const t0 = new Date(b.time);
			const t1 = new Date(t0.getTime() + (data.step || 60) * 1000);
			onPick(t0.toISOString(), t1.toISOString());
		});
		svg.appendChild(g);
	});
	if (buckets.length) {
		svg.appendChild(s('text', { x: 0, y: H + 12, class: 'axis' }, buckets[0].time.slice(0, 16)));
		svg.appendChild(s('text', { x: W, y: H + 12, class: 'axis', 'text-anchor': 'end' },
			buckets[buckets.length - 1].time.slice(0, 16)));
	}
	const legend = h('span', { class: 'legend' }, types.map(t =>
		h('span', { class: 'key tl-' + t.replace(/^process_/, '') }, t.replace(/^process_/, ''))));
	replace(el, svg, h('div', { class: 'tl-foot' },
		totals.reduce((a, n) => a + n, 0) + ' events, max ' + max + ' per ' + (data.step || '?') +
		' s ', legend));
}
