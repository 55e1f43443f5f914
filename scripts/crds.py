#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the CustomResourceDefinitions of deploy/kubernetes/crds/.

Four CRDs, one schema: TracingPolicy (cluster) and TracingPolicyNamespaced in
the groups cilium.io (Tetragon's, so its policies apply unchanged) and
hornet.dev (for clusters where Tetragon owns cilium.io). The schema names the
fields hornet reads and types them, so `kubectl explain` and the server's
validation help; below the hook level (selectors, args) the nesting is deep
and changes with Tetragon, so those parts keep unknown fields and hornet's
own parser, which names the bad key and suggests a good one, has the last
word.

  scripts/crds.py            rewrite the files
  scripts/crds.py --check    exit 1 when a file differs from what it would write
"""
import os
import sys

import yaml

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deploy", "kubernetes",
                   "crds")

FREE = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
STRINGS = {"type": "array", "items": {"type": "string"}}


def common(props, required):
    """A hook: its own fields, then what every hook kind has."""
    props = dict(props)
    props.update({
        "args": {"type": "array", "items": FREE,
                 "description": "arguments to read: index, type, sizeArgIndex, returnCopy, "
                                "maxData, label, resolve"},
        "selectors": {"type": "array", "items": FREE,
                      "description": "matchArgs, matchPIDs, matchBinaries, matchNamespaces, "
                                     "matchCapabilities, matchActions..."},
        "message": {"type": "string"},
        "tags": STRINGS,
    })
    return {"type": "array", "items": {"type": "object", "required": required,
                                       "properties": props,
                                       "x-kubernetes-preserve-unknown-fields": True}}


KPROBE = common({
    "call": {"type": "string", "description": "kernel function or syscall"},
    "syscall": {"type": "boolean"},
    "return": {"type": "boolean"},
    "returnArg": FREE,
    "returnArgAction": {"type": "string"},
    "ignore": FREE,
}, ["call"])

SELECTOR = {
    "type": "object",
    "description": "a Kubernetes label selector",
    "properties": {
        "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
        "matchExpressions": {"type": "array", "items": {
            "type": "object",
            "required": ["key", "operator"],
            "properties": {
                "key": {"type": "string"},
                "operator": {"type": "string",
                             "enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
                "values": STRINGS,
            }}},
    },
}

SPEC = {
    "type": "object",
    # an unknown key reaches hornet, which reports it with a suggestion
    "x-kubernetes-preserve-unknown-fields": True,
    "properties": {
        "kprobes": KPROBE,
        "fentries": KPROBE,
        "tracepoints": common({
            "subsystem": {"type": "string"},
            "event": {"type": "string"},
            "raw": {"type": "boolean"},
        }, ["subsystem", "event"]),
        "lsmhooks": common({"hook": {"type": "string"}}, ["hook"]),
        "uprobes": common({
            "path": {"type": "string"},
            "symbols": STRINGS,
            "offsets": {"type": "array", "items": {"type": "integer"}},
            "return": {"type": "boolean"},
        }, ["path"]),
        "usdts": common({
            "path": {"type": "string"},
            "provider": {"type": "string"},
            "name": {"type": "string"},
        }, ["path", "provider", "name"]),
        "lists": {"type": "array", "items": {
            "type": "object", "required": ["name"],
            "properties": {"name": {"type": "string"}, "type": {"type": "string"},
                           "values": STRINGS, "pattern": {"type": "string"},
                           "validated": {"type": "boolean"}},
            "x-kubernetes-preserve-unknown-fields": True}},
        "options": {"type": "array", "items": {
            "type": "object", "required": ["name"],
            "properties": {"name": {"type": "string"}, "value": {"type": "string"}}}},
        "podSelector": SELECTOR,
        "containerSelector": SELECTOR,
        "hostSelector": SELECTOR,
        "enforcers": {"type": "array", "items": FREE},
        "loader": {"type": "boolean"},
    },
}


def crd(group, namespaced):
    kind = "TracingPolicyNamespaced" if namespaced else "TracingPolicy"
    plural = "tracingpoliciesnamespaced" if namespaced else "tracingpolicies"
    short = ("tpn" if namespaced else "tp") if group == "cilium.io" else \
        ("htpn" if namespaced else "htp")
    schema = {"type": "object", "required": ["spec"], "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": SPEC,
    }}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}",
                     "labels": {"app.kubernetes.io/part-of": "hornet"}},
        "spec": {
            "group": group,
            "names": {"kind": kind, "listKind": kind + "List", "plural": plural,
                      "singular": kind.lower(), "shortNames": [short]},
            "scope": "Namespaced" if namespaced else "Cluster",
            "versions": [{"name": "v1alpha1", "served": True, "storage": True,
                          "schema": {"openAPIV3Schema": schema}}],
        },
    }


class Dumper(yaml.SafeDumper):
    """Writes shared parts out in full: no anchors in a manifest."""

    def ignore_aliases(self, data):
        return True


def files():
    out = {}
    for group in ("cilium.io", "hornet.dev"):
        for namespaced in (False, True):
            c = crd(group, namespaced)
            text = ("# SPDX-License-Identifier: GPL-2.0\n"
                    "# Written by scripts/crds.py: edit that, not this.\n"
                    + yaml.dump(c, Dumper=Dumper, sort_keys=False, default_flow_style=False))
            out[f"{group}_{c['spec']['names']['plural']}.yaml"] = text
    return out


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    os.makedirs(OUT, exist_ok=True)
    for name, text in files().items():
        path = os.path.join(OUT, name)
        try:
            with open(path) as f:
                same = f.read() == text
        except FileNotFoundError:
            same = False
        if same:
            continue
        if check:
            stale.append(name)
        else:
            with open(path, "w") as f:
                f.write(text)
    if stale:
        print("crds.py: out of date: %s (run scripts/crds.py)" % ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
