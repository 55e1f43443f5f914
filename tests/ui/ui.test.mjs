// SPDX-License-Identifier: GPL-2.0
// The page in Chromium (playwright-core, Debian's /usr/bin/chromium), run by
// tests/e2e/test_ui.py against a real agent with real events; it passes the
// URL, the token and what the page must show in the environment:
//   HORNET_UI_URL, HORNET_UI_TOKEN, HORNET_UI_EXPECT (JSON), HORNET_UI_SHOTS
//   (screenshots), HORNET_UI_MODULES (node_modules holding playwright-core).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const env = process.env;
const BASE = env.HORNET_UI_URL;
const TOKEN = env.HORNET_UI_TOKEN;
const X = JSON.parse(env.HORNET_UI_EXPECT || '{}');
const SHOTS = env.HORNET_UI_SHOTS;
const { chromium } = createRequire(path.join(env.HORNET_UI_MODULES, '/'))('playwright-core');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

let browser, context, page;
const outside = []; // requests that were about to leave for another host
const problems = []; // page errors, CSP violations

function watch(p) {
	p.on('pageerror', e => problems.push('page error: ' + e.message));
	p.on('console', m => {
		if (/Content Security Policy|Refused to/.test(m.text()))
			problems.push('console: ' + m.text());
	});
	p.on('dialog', d => d.accept());
}

async function newContext() {
	const c = await browser.newContext({ viewport: { width: 1400, height: 900 } });
	await c.route('**/*', route => {
		const u = new URL(route.request().url());
		if (/^(https?|wss?):$/.test(u.protocol) && !LOOPBACK.has(u.hostname)) {
			outside.push(u.href);
			return route.abort();
		}
		return route.continue();
	});
	return c;
}

async function shot(name) {
	await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: false });
}

async function open(hash) {
	await page.goto(BASE + '/#/' + hash);
}

// The text of the view's table rows, one string per row.
async function rowsOf(sel) {
	await page.waitForSelector(sel + ' tbody tr', { timeout: 10000 }).catch(() => {});
	return page.$$eval(sel + ' tbody tr', trs => trs.map(tr => tr.textContent));
}

async function textOf(sel) {
	return page.$eval(sel, el => el.textContent);
}

// An event of our own, now: cat reading /etc/passwd (the test's policy).
function catPasswd(tag) {
	const r = spawnSync(X.cat, ['/etc/passwd', '/nonexistent/' + tag]);
	assert.ok(String(r.stdout).includes('root:'), 'cat /etc/passwd ran');
}

before(async () => {
	browser = await chromium.launch({ executablePath: env.HORNET_CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] });
	context = await newContext();
	page = await context.newPage();
	watch(page);
	// The link `make run` prints: the token becomes a cookie.
	await page.goto(BASE + '/?token=' + TOKEN);
	await page.waitForSelector('#live-table');
});

after(async () => {
	if (browser)
		await browser.close();
	assert.deepEqual(outside, [], 'no request leaves for a non-loopback address');
	assert.deepEqual(problems, [], 'no page error, no CSP violation');
});

test('without the cookie the login form takes the token', async () => {
	const c1 = await newContext();
	const p1 = await c1.newPage();
	watch(p1);
	await p1.goto(BASE + '/');
	await p1.waitForSelector('#login form', { state: 'visible' });
	await p1.fill('#login-token', 'not-the-token');
	await p1.click('#login-submit');
	await p1.waitForFunction(() => document.getElementById('login-error').textContent !== '');
	await p1.fill('#login-token', TOKEN);
	await p1.click('#login-submit');
	await p1.waitForSelector('#login', { state: 'hidden' });
	await p1.waitForSelector('#live-table');
	const cookies = await c1.cookies();
	assert.ok(cookies.some(c => c.httpOnly),
		'an HttpOnly cookie: ' + JSON.stringify(cookies.map(c => c.name)));
	await c1.close();
	// The link with the token left the address bar without it.
	assert.ok(!(await page.evaluate(() => location.href)).includes(TOKEN), 'token left the URL');
});

test('files: /etc/passwd is one click from the front page, with the host and the pod', async () => {
	await open('live');
	const t0 = Date.now();
	await page.click('#quick-passwd');
	const rows = await rowsOf('#files-table');
	const firstView = Date.now() - t0;
	const mine = rows.filter(r => r.includes(X.mark));
	assert.ok(mine.length >= 1, 'a row of the host cat: ' + rows.slice(0, 5).join(' | '));
	assert.ok(mine[0].includes(X.cat) && mine[0].includes('read'), 'binary and access: ' + mine[0]);
	if (X.container)
		assert.ok(rows.some(r => r.includes(X.container.pod)), 'a row of the pod ' + X.container.pod);
	await shot('files');
	console.log('# files view usable in ' + firstView + ' ms');
	if (X.container) {
		// Filter by the pod: only its rows.
		await page.fill('#files-form-pod', X.container.pod);
		await page.click('#files-form-apply');
		await page.waitForFunction(() => location.hash.includes('pod='));
		const only = await rowsOf('#files-table');
		assert.ok(only.length >= 1 && only.every(r => r.includes(X.container.pod)),
			'only the pod: ' + only.join(' | '));
		assert.ok(!only.some(r => r.includes(X.mark)), 'the host row is filtered out');
	}
});

test('live: history, filters, a new event within 2 s, pause, drawer, value click', async () => {
	await open('live?type=process_kprobe&binary=' + encodeURIComponent(X.cat));
	await page.waitForFunction(m => document.getElementById('live-rows').textContent.includes(m),
		X.mark, { timeout: 10000 });
	const rows = await page.$$eval('#live-rows .lrow:not([hidden])', rs => rs.map(r =>
		r.children[1].textContent + '\t' + r.children[3].textContent));
	assert.ok(rows.every(r => r.startsWith('kprobe\t' + X.cat)), 'filtered rows: ' + rows.slice(0, 5));
	await page.waitForSelector('#live-state.live');

	const fresh = 'hornet-ui-live-' + Date.now();
	const t0 = Date.now();
	catPasswd(fresh);
	await page.waitForFunction(m => document.getElementById('live-rows').textContent.includes(m),
		fresh, { timeout: 2000 });
	console.log('# live event shown after ' + (Date.now() - t0) + ' ms');

	await page.click('#live-pause');
	const held = 'hornet-ui-held-' + Date.now();
	catPasswd(held);
	await page.waitForFunction(() => /held while paused/.test(
		document.getElementById('live-counts').textContent), null, { timeout: 2000 });
	assert.ok(!(await textOf('#live-rows')).includes(held), 'paused: ' + held + ' drawn');
	await page.click('#live-pause');
	await page.waitForFunction(m => document.getElementById('live-rows').textContent.includes(m),
		held, { timeout: 2000 });
	await shot('live');

	// The drawer: the whole event and its ancestry. Paused, so that events still
	// coming in do not move another event into the row between finding and clicking it.
	await page.click('#live-pause');
	await page.locator('#live-rows .lrow', { hasText: X.mark }).first().locator('.c-time').click();
	await page.waitForSelector('#drawer:not([hidden]) #drawer-json');
	assert.ok((await textOf('#drawer-json')).includes(X.mark), 'the event in full');
	await page.waitForFunction(() => document.querySelectorAll('#drawer ol.ancestry li').length >= 2,
		null, { timeout: 5000 });
	await shot('live-drawer');
	await page.click('#drawer-close');

	// Click a value to filter by it (paused: the rows hold still under the pointer).
	await open('live');
	await page.locator('#live-rows [data-field="type"]').first().waitFor();
	await page.click('#live-pause');
	const first = page.locator('#live-rows [data-field="type"]').first();
	const type = await first.getAttribute('data-value');
	await first.click();
	await page.waitForFunction(t => location.hash.includes('type=' + t), type);
	// the view is drawn again from the new address after the hash changed: wait for its form
	await page.waitForFunction(t => {
		const input = document.getElementById('f-type');
		return input && input.value === t;
	}, type, { timeout: 5000 });
	assert.equal(await page.inputValue('#f-type'), type, 'the type filter set from the click');
});

test('egress: the table and graph show the pod, binary, destination and command', async () => {
	await open('egress');
	const rows = await rowsOf('#egress-table');
	const mine = rows.filter(r => r.includes(':' + X.http_port));
	assert.ok(mine.length >= 1, 'a row to port ' + X.http_port + ': ' + rows.slice(0, 5).join(' | '));
	assert.ok(mine.some(r => r.includes(X.dns_name)), 'DNS name or HTTP host: ' + mine.join(' | '));
	assert.ok(mine.some(r => r.includes('python3')), 'the binary: ' + mine.join(' | '));
	// Filtered by the destination: the graph has its chain (the whole machine's may not fit).
	await page.fill('#egress-form-dest', '127.0.0.1:' + X.http_port);
	await page.click('#egress-form-apply');
	await page.waitForFunction(() => location.hash.includes('dest='));
	const only = await rowsOf('#egress-table');
	assert.ok(only.length >= 1 && only.every(r => r.includes(':' + X.http_port)),
		'only that destination: ' + only.join(' | '));
	const graph = await textOf('#egress-graph');
	assert.ok(graph.includes('python3') && graph.includes(String(X.http_port)),
		'graph: ' + graph.slice(0, 300));
	await shot('egress');
	await page.locator('#egress-table tbody tr', { hasText: ':' + X.http_port }).first()
		.locator('td').nth(5).click();
	await page.waitForSelector('#drawer-cmdline');
	assert.ok((await textOf('#drawer-cmdline')).includes(X.dns_name), 'the command line');
	await shot('egress-process');
	await page.click('#drawer-close');
});

test('process trees of the host and of the pod, the pod profile', async () => {
	await open('tree?host=1');
	await page.waitForSelector('#tree-summary');
	const text = await textOf('#tree-result');
	assert.ok(text.includes(X.mark), 'the host cat in the tree');
	await page.locator('#tree-result .tnode', { hasText: X.mark }).first().click();
	await page.waitForSelector('#drawer-cmdline');
	await shot('tree');
	await page.click('#drawer-close');
	if (X.container) {
		// A pod's tree: the cat run in its container, and nothing of the host's.
		await open('tree?namespace=' + encodeURIComponent(X.container.namespace) + '&pod=' +
			encodeURIComponent(X.container.pod));
		await page.waitForSelector('#tree-summary');
		const pod = await textOf('#tree-result');
		assert.ok(/cat|busybox/.test(pod) && pod.includes('/etc/passwd'), 'the pod tree: ' +
			pod.slice(0, 300));
		assert.ok(!pod.includes(X.mark), 'no host process in the pod tree');
		await shot('tree-pod');
		// Its profile: the file it read.
		await open('profile?namespace=' + encodeURIComponent(X.container.namespace) + '&pod=' +
			encodeURIComponent(X.container.pod));
		await page.waitForSelector('#profile-summary');
		assert.ok((await textOf('#profile-result')).includes('/etc/passwd'), 'the pod profile');
		await shot('profile-pod');
	}
});

test('policies: state, mode switch, add with the error line, delete', async () => {
	await open('policies');
	const row = page.locator(`#policies-table tr[data-policy="${X.policy}"]`);
	await row.waitFor();
	assert.ok((await row.textContent()).includes('enabled'));
	await row.locator('select.mode').selectOption('enforce');
	await page.waitForFunction(n => document.getElementById('policies-note').textContent.includes(n),
		'mode enforce');
	const mode = await page.evaluate(async n => (await (await fetch('/api/v1/policies')).json())
		.policies.find(p => p.name === n).mode, X.policy);
	assert.equal(mode, 'enforce');
	await page.locator(`#policies-table tr[data-policy="${X.policy}"] select.mode`)
		.selectOption('monitor');
	await page.waitForFunction(() =>
		document.getElementById('policies-note').textContent.includes('monitor'));

	await page.fill('#policy-yaml', 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n' +
		'metadata:\n  name: broken\nspec:\n  kprobes: [\n  - call: x\n');
	await page.click('#policy-add');
	await page.waitForSelector('#policy-error');
	await page.waitForSelector('#policy-error-line');
	await shot('policies-error');

	const name = 'ui-added-' + Date.now();
	await page.fill('#policy-yaml', `apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n` +
		`metadata:\n  name: ${name}\nspec:\n  kprobes:\n  - call: "sys_openat"\n` +
		`    syscall: true\n    args:\n    - index: 1\n      type: "string"\n    selectors:\n` +
		`    - matchArgs:\n      - index: 1\n        operator: "Equal"\n` +
		`        values: ["/nonexistent/${name}"]\n`);
	await page.click('#policy-add');
	const added = page.locator(`#policies-table tr[data-policy="${name}"]`);
	await added.waitFor({ timeout: 20000 });
	await shot('policies');
	await added.locator('button.danger').click();
	await added.waitFor({ state: 'detached', timeout: 20000 });
});

test('health: events per second, losses, sensors, store', async () => {
	await open('health');
	await page.waitForSelector('#health-sensors');
	assert.ok((await textOf('#health-sensors')).includes('exec'));
	assert.notEqual((await textOf('#health-store b')).trim(), 'none', 'the store size');
	await page.waitForFunction(() =>
		!document.querySelector('#health-rate b').textContent.includes('…'),
		null, { timeout: 5000 });
	await shot('health');
});

test('hostile names and arguments render as text, no script runs', async () => {
	await open('files?path=' + encodeURIComponent(X.dir + '/*'));
	await page.waitForSelector('#files-table');
	const body = await textOf('#files-table');
	for (const n of X.hostile_names)
		assert.ok(body.includes(n), 'shown as text: ' + JSON.stringify(n));
	const longest = await page.$$eval('#files-table tbody tr td:first-child',
		tds => Math.max(...tds.map(td => td.textContent.length)));
	console.log('# longest path shown: ' + longest + ' characters');
	await shot('hostile-files');
	await open('live?binary=' + encodeURIComponent(X.cat) + '&q=' + encodeURIComponent(X.mark));
	await page.waitForFunction(m => document.getElementById('live-rows').textContent.includes(m),
		X.mark, { timeout: 10000 });
	const live = await textOf('#live-rows');
	for (const a of X.hostile_args)
		assert.ok(live.includes(a), 'argument shown as text: ' + a);
	await page.locator('#live-rows .lrow', { hasText: X.mark }).first().locator('.c-time').click();
	await page.waitForSelector('#drawer-json');
	assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no injected script ran');
	assert.equal(await page.locator('#view img, #drawer img, #view b, #drawer b').count(), 0,
		'no injected element');
	await shot('hostile-live');
	await page.click('#drawer-close');
});

test('range and timeline apply to every view; profile; export and command', async () => {
	await open('files?path=%2Fetc%2Fpasswd');
	await page.click('button[data-range="24h"]');
	await page.waitForFunction(() => location.hash.includes('since=-24h') &&
		location.hash.includes('path='));
	await page.waitForSelector('#timeline-svg rect');
	await page.click('#nav-egress');
	await page.waitForFunction(() => location.hash.startsWith('#/egress') &&
		location.hash.includes('since=-24h'));
	await shot('timeline');

	await open('profile?binary=' + encodeURIComponent(X.cat) + '&new_since=-1h');
	await page.waitForSelector('#profile-summary');
	assert.ok((await textOf('#profile-result')).includes('/etc/passwd'), 'cat read /etc/passwd');
	await shot('profile');

	await open('live?type=process_kprobe&binary=' + encodeURIComponent(X.cat));
	assert.equal(await textOf('#cli-command'),
		"hornet events --follow --types kprobe --binary '^/usr/bin/cat$'");
	const href = await page.getAttribute('#export-jsonl', 'href');
	const lines = await page.evaluate(async h =>
		(await (await fetch(h)).text()).trim().split('\n'), href);
	assert.ok(lines.length >= 1);
	for (const l of lines) {
		const ev = JSON.parse(l);
		assert.equal(ev.process_kprobe.process.binary, X.cat);
	}
});

test('exclusions hide rows in every view and never delete them', async () => {
	await open('exclusions');
	await page.selectOption('#excl-field', 'binary');
	await page.fill('#excl-value', X.cat);
	await page.fill('#excl-note', 'ui test');
	await page.click('#excl-add');
	await page.waitForSelector('#exclusions-table');
	assert.ok((await textOf('#exclusions-table')).includes(X.cat));
	await shot('exclusions');
	await open('files?path=%2Fetc%2Fpasswd');
	await page.waitForSelector('#files-summary, #files-result .msg');
	assert.ok(!(await textOf('#files-result')).includes(X.mark), 'hidden');
	await page.check('#show-hidden');
	await page.waitForFunction(m =>
		(document.getElementById('files-result') || {}).textContent.includes(m),
		X.mark, { timeout: 10000 });
	await open('exclusions');
	await page.locator('#exclusions-table tr', { hasText: X.cat }).locator('button').click();
	await page.waitForFunction(c =>
		!document.getElementById('exclusions-list').textContent.includes(c), X.cat);
});
