// SPDX-License-Identifier: GPL-2.0
// Reading hornet's events (docs/events.md): the type, the process, the path
// or destination a row shows, and the filters the live view applies.

export const TYPES = ['process_exec', 'process_exit', 'process_kprobe', 'process_tracepoint',
	'process_lsm', 'process_uprobe', 'process_dns', 'process_http', 'process_tls',
	'process_throttle'];

export const ACTIONS = ['KPROBE_ACTION_POST', 'KPROBE_ACTION_SIGKILL', 'KPROBE_ACTION_OVERRIDE',
	'KPROBE_ACTION_NOTIFYENFORCER', 'KPROBE_ACTION_FOLLOWFD', 'KPROBE_ACTION_GETURL',
	'KPROBE_ACTION_DNSLOOKUP'];

// The filters of the events endpoint that the live view offers, in order.
export const FILTERS = ['type', 'policy', 'action', 'namespace', 'pod', 'container', 'binary',
	'path', 'dest', 'q'];

export function typeOf(ev) {
	for (const k of Object.keys(ev))
		if (k.startsWith('process_'))
			return k;
	return '';
}

export function bodyOf(ev) {
	return ev[typeOf(ev)] || {};
}

export function procOf(ev) {
	const b = bodyOf(ev);
	return b.process || {};
}

export function namespaceOf(p) {
	return (p.pod && p.pod.namespace) || '';
}

export function podOf(p) {
	return (p.pod && p.pod.name) || '';
}

export function containerOf(p) {
	return (p.pod && p.pod.container && p.pod.container.name) ||
		(p.container && (p.container.name || p.container.id)) || '';
}

// The file a policy event is about: the first argument that names a path.
export function pathOf(ev) {
	const b = bodyOf(ev);
	for (const a of b.args || []) {
		if (typeof a.string_arg === 'string' && a.string_arg.startsWith('/'))
			return a.string_arg;
		for (const k of ['file_arg', 'path_arg', 'linux_binprm_arg'])
			if (a[k] && typeof a[k].path === 'string')
				return a[k].path;
	}
	if (typeof b.path === 'string')
		return b.path;
	return '';
}

// The remote end of a network event, "addr:port", and its name when known.
export function destOf(ev) {
	const b = bodyOf(ev);
	if (b.destination)
		return b.destination;
	if (b.server)
		return b.server;
	for (const a of b.args || []) {
		if (a.sock_arg && a.sock_arg.daddr !== undefined)
			return a.sock_arg.daddr + ':' + a.sock_arg.dport;
		if (a.sockaddr_arg && a.sockaddr_arg.addr !== undefined)
			return a.sockaddr_arg.addr + ':' + a.sockaddr_arg.port;
	}
	return '';
}

export function nameOf(ev) {
	const b = bodyOf(ev);
	return b.host || b.sni || (b.question && b.question.name) || '';
}

// What the row says after the binary.
export function summaryOf(ev) {
	const t = typeOf(ev);
	const b = bodyOf(ev);
	const p = b.process || {};
	switch (t) {
	case 'process_exec':
		return p.arguments || '';
	case 'process_exit':
		return b.signal ? 'signal ' + b.signal : 'status ' + (b.status || 0);
	case 'process_dns':
		return (b.direction || '') + ' ' + ((b.question && b.question.name) || '') +
			(b.answers ? ' -> ' + b.answers.map(a => a.data).join(' ') : '');
	case 'process_http':
		return (b.method || '') + ' ' + (b.host || '') + (b.target || '');
	case 'process_tls':
		return 'SNI ' + (b.sni || '');
	default:
		return (b.function_name || b.event || b.symbol || '') + ' ' +
			(pathOf(ev) || destOf(ev));
	}
}

// Shell-style globs (`*`, `?`) as the API takes them.
export function globMatch(pattern, value) {
	if (!/[*?]/.test(pattern))
		return pattern === value;
	const re = '^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
		.replace(/\?/g, '.') + '$';
	return new RegExp(re).test(value);
}

// The live view filters on the server (the stream takes the same parameters)
// and again here, so a row never shows that the filters exclude.
export function matches(ev, f, line) {
	const b = bodyOf(ev);
	const p = b.process || {};
	if (f.type && !f.type.split(',').includes(typeOf(ev)))
		return false;
	if (f.policy && b.policy_name !== f.policy)
		return false;
	if (f.action && b.action !== f.action)
		return false;
	if (f.namespace && namespaceOf(p) !== f.namespace)
		return false;
	if (f.pod && podOf(p) !== f.pod)
		return false;
	if (f.container && containerOf(p) !== f.container)
		return false;
	if (f.binary && !globMatch(f.binary, p.binary || ''))
		return false;
	if (f.path && !globMatch(f.path, pathOf(ev)))
		return false;
	if (f.dest) {
		const d = destOf(ev);
		const n = nameOf(ev);
		if (d !== f.dest && !d.startsWith(f.dest + ':') && n !== f.dest)
			return false;
	}
	if (f.q && !(line || JSON.stringify(ev)).includes(f.q))
		return false;
	return true;
}

// POSIX ERE for `hornet events --binary/--pod` from an exact value or a glob.
function toRegex(v) {
	return '^' + v.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$';
}

function shq(v) {
	return /^[A-Za-z0-9_./:=,-]+$/.test(v) ? v : "'" + v.replace(/'/g, "'\\''") + "'";
}

// The `hornet events` command (src/cli/events.c) that gives the same events
// live, and the filters it has no flag for.
export function cliCommand(f) {
	const args = ['hornet', 'events', '--follow'];
	const rest = [];
	if (f.type)
		args.push('--types', f.type.split(',').map(t => t.replace(/^process_/, '')).join(','));
	if (f.binary)
		args.push('--binary', shq(toRegex(f.binary)));
	if (f.namespace)
		args.push('--namespace', shq(f.namespace));
	if (f.pod)
		args.push('--pod', shq(toRegex(f.pod)));
	if (f.container)
		args.push('--container', shq(f.container));
	for (const k of ['policy', 'action', 'path', 'dest', 'q'])
		if (f[k])
			rest.push(k + '=' + f[k]);
	let cmd = args.join(' ');
	if (f.q)
		cmd += ' | grep -F -- ' + shq(f.q);
	return { cmd, unsupported: rest.filter(r => !r.startsWith('q=')) };
}

// CSV of the columns the tables show; every field quoted.
export function csvOf(rows, cols) {
	const q = v => '"' + String(v === null || v === undefined ? '' : v).replace(/"/g, '""') + '"';
	const lines = [cols.map(c => q(c[0])).join(',')];
	for (const r of rows)
		lines.push(cols.map(c => q(c[1](r))).join(','));
	return lines.join('\r\n') + '\r\n';
}
