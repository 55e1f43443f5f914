// SPDX-License-Identifier: GPL-2.0
// The page's pure logic (src/web/ui/events.js) under Node, no browser: the
// fields a row shows, the live filters, the `hornet events` command, CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typeOf, pathOf, destOf, nameOf, summaryOf, globMatch, matches, cliCommand, csvOf }
	from '../../src/web/ui/events.js';

const P = { binary: '/usr/bin/cat', arguments: '/etc/passwd', pid: 7,
	pod: { namespace: 'shop', name: 'web-1', container: { name: 'nginx' } } };
const KPROBE = { process_kprobe: { process: P, function_name: '__x64_sys_openat',
	args: [{ int_arg: -100 }, { string_arg: '/etc/passwd' }, { int_arg: 0 }],
	action: 'KPROBE_ACTION_POST', policy_name: 'passwd' }, node_name: 'n1', time: 't' };
const CONNECT = { process_kprobe: { process: { binary: '/usr/bin/curl' }, function_name: 'tcp_connect',
	args: [{ sock_arg: { daddr: '10.0.0.1', dport: 443 } }], policy_name: 'hornet-network' } };
const DNS = { process_dns: { process: { binary: '/usr/bin/dig' }, server: '127.0.0.1:53',
	direction: 'answer', question: { name: 'x.test', type: 'A' }, answers: [{ data: '10.1.2.3' }] } };

test('fields of events', () => {
	assert.equal(typeOf(KPROBE), 'process_kprobe');
	assert.equal(pathOf(KPROBE), '/etc/passwd');
	assert.equal(destOf(CONNECT), '10.0.0.1:443');
	assert.equal(destOf(DNS), '127.0.0.1:53');
	assert.equal(nameOf(DNS), 'x.test');
	assert.equal(summaryOf(DNS), 'answer x.test -> 10.1.2.3');
	assert.equal(pathOf({ process_lsm: { args: [{ file_arg: { path: '/secret' } }] } }), '/secret');
});

test('globs as the API takes them, metacharacters literal', () => {
	assert.ok(globMatch('*/cat', '/usr/bin/cat'));
	assert.ok(globMatch('/etc/*', '/etc/passwd'));
	assert.ok(!globMatch('/etc/*', '/tmp/etc/passwd'));
	assert.ok(globMatch('/a.b', '/a.b') && !globMatch('/a.b', '/axb'));
	assert.ok(globMatch('/x(1)+*', '/x(1)+y'));
});

test('live filters', () => {
	assert.ok(matches(KPROBE, { type: 'process_exec,process_kprobe', policy: 'passwd' }));
	assert.ok(!matches(KPROBE, { type: 'process_exec' }));
	assert.ok(matches(KPROBE, { namespace: 'shop', pod: 'web-1', container: 'nginx' }));
	assert.ok(!matches(KPROBE, { pod: 'web' }));
	assert.ok(matches(KPROBE, { binary: '*/cat', path: '/etc/pass*' }));
	assert.ok(matches(CONNECT, { dest: '10.0.0.1' }) && matches(CONNECT, { dest: '10.0.0.1:443' }));
	assert.ok(!matches(CONNECT, { dest: '10.0.0.10' }));
	assert.ok(matches(DNS, { dest: 'x.test' }));
	assert.ok(matches(KPROBE, { q: 'openat' }) && !matches(KPROBE, { q: 'nothing-like-it' }));
});

test('the hornet events command, quoted for the shell', () => {
	assert.equal(cliCommand({}).cmd, 'hornet events --follow');
	const c = cliCommand({ type: 'process_kprobe,process_dns', binary: '*/cu rl', namespace: "it's",
		pod: 'web-1', q: 'a b', policy: 'p' });
	assert.equal(c.cmd, "hornet events --follow --types kprobe,dns --binary '^.*/cu rl$' " +
		"--namespace 'it'\\''s' --pod '^web-1$' | grep -F -- 'a b'");
	assert.deepEqual(c.unsupported, ['policy=p']);
});

test('CSV quotes every field', () => {
	const csv = csvOf([{ a: 'x"y', b: 'l1\nl2' }, { a: null, b: 3 }], [['a', r => r.a], ['b', r => r.b]]);
	assert.equal(csv, '"a","b"\r\n"x""y","l1\nl2"\r\n"","3"\r\n');
});
