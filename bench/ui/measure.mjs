// SPDX-License-Identifier: GPL-2.0
// bench/ui's browser side (bench/ui/run.py starts the agent and the load):
// the first view's time, then the live view under the load for a while, with
// the frames the page counted as dropped and the page's JS heap (CDP).
// Prints one JSON object.
import { createRequire } from 'node:module';
import path from 'node:path';

const env = process.env;
const BASE = env.HORNET_UI_URL, TOKEN = env.HORNET_UI_TOKEN;
const SECONDS = +(env.BENCH_UI_SECONDS || 120);
const FILTER = env.BENCH_UI_FILTER || '';
const { chromium } = createRequire(path.join(env.HORNET_UI_MODULES, '/'))('playwright-core');

const browser = await chromium.launch({ executablePath: env.HORNET_CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] });
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Performance.enable');
const out = {};

async function heap() {
	await cdp.send('HeapProfiler.collectGarbage');
	const m = (await cdp.send('Performance.getMetrics')).metrics;
	const get = n => (m.find(x => x.name === n) || {}).value;
	return { js_heap_mb: +(get('JSHeapUsedSize') / 1048576).toFixed(1), dom_nodes: get('Nodes') };
}

// The cookie first, then each first view from a cold navigation.
await page.goto(BASE + '/?token=' + TOKEN);
await page.waitForSelector('#live-table');
for (const [name, hash, sel] of [['live', 'live', '#live-table'],
	['files /etc/passwd', 'files?path=%2Fetc%2Fpasswd', '#files-summary, #files-result .msg, #files-result .error'],
	['egress', 'egress', '#egress-summary, #egress-result .msg, #egress-result .error'],
	['health', 'health', '#health-sensors']]) {
	const times = [];
	for (let i = 0; i < 5; i++) {
		await page.goto('about:blank');
		const t0 = Date.now();
		await page.goto(BASE + '/#/' + hash);
		await page.waitForSelector(sel);
		times.push(Date.now() - t0);
	}
	times.sort((a, b) => a - b);
	out['first_view_ms ' + name] = times[2];
}

// Now the load (run.py starts it on this line).
console.log('LOAD');
await page.waitForTimeout(2000);
await page.goto(BASE + '/#/live' + (FILTER ? '?' + FILTER : ''));
await page.waitForSelector('#live-state.live', { timeout: 10000 });
out.heap_start = await heap();
await page.evaluate(() => Object.assign(window.hornetPerf, { received: 0, rendered: 0, skipped: 0,
	frames: 0, dropped_frames: 0, longest_frame_ms: 0, started: performance.now() }));
const samples = [];
for (let t = 0; t < SECONDS; t += 10) {
	await page.waitForTimeout(10000);
	const p = await page.evaluate(() => Object.assign({}, window.hornetPerf, { now: performance.now(),
		rows: document.querySelectorAll('#live-rows .lrow:not([hidden])').length }));
	samples.push(Object.assign(p, await heap()));
}
const last = samples[samples.length - 1];
const secs = (last.now - last.started) / 1000;
Object.assign(out, {
	seconds: +secs.toFixed(1),
	events_per_s: +(last.received / secs).toFixed(0),
	rendered: last.rendered,
	skipped_to_keep_up: last.skipped,
	frames: last.frames,
	frames_per_s: +(last.frames / secs).toFixed(1),
	dropped_frames: last.dropped_frames,
	dropped_frames_pct: +(100 * last.dropped_frames / Math.max(1, last.frames + last.dropped_frames)).toFixed(1),
	longest_frame_ms: +last.longest_frame_ms.toFixed(0),
	rows: last.rows,
	heap_mb_over_time: samples.map(s => s.js_heap_mb),
	dom_nodes_end: last.dom_nodes,
});
console.log(JSON.stringify(out));
await browser.close();
