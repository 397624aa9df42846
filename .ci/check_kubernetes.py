#!/usr/bin/env python3
"""Conformance of the kubernetes target's output.

For every YAML document under OUT/kubernetes/<site>/:
- apiVersion, kind and metadata.name are present; names, namespaces, label keys and values and
  annotation keys are what the API server accepts;
- a custom resource validates against the served version of its upstream CRD (../shared/schemas/crds):
  the openAPIV3Schema as JSON Schema, unknown fields rejected wherever `properties` are given and
  x-kubernetes-preserve-unknown-fields is not true, x-kubernetes-int-or-string taking an integer or a
  string; its CEL rules (x-kubernetes-validations) are evaluated too, except transition rules (they
  compare with an older object) and rules using functions the CEL library here does not have;
- a core kind passes `kubernetes-validate --strict` for the site's Kubernetes version;
- the pieces fit together: queues, flavors, topologies, ComputeDomains and namespaces that objects
  refer to exist, topology annotations name a level of a Topology, and each workload's ClusterQueue
  holds exactly the GPUs its pods request.

With --description, every Namespace must carry that exact text in kubernetes.io/description.
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import yaml

try:
    import celpy  # cel-python

    CEL = celpy.Environment()
except ImportError:  # the checks still run; CEL rules are then reported as not evaluated
    CEL = None

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
# Namespaces the operators' Helm charts create; everything else must be in 00-namespaces.yaml.
OPERATOR_NAMESPACES = {"gpu-operator", "kube-amd-gpu", "nvidia-network-operator", "nvidia-dra-driver-gpu"}
GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu")


class Report:
    def __init__(self):
        self.errors = []
        self.documents = 0
        self.custom = 0
        self.core = 0
        self.cel_checked = 0
        self.cel_skipped = {}

    def error(self, where, message):
        self.errors.append(f"{where}: {message}")


def qualified_name_ok(key):
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not DNS_SUBDOMAIN.match(prefix)):
        return False
    return len(name) <= 63 and bool(LABEL_NAME.match(name))


# ---------------------------------------------------------------- CRD schemas


def crd_json_schema(node):
    """A CRD structural schema as a strict JSON Schema."""
    if isinstance(node, list):
        return [crd_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {k: crd_json_schema(v) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = crd_json_schema(value) if isinstance(value, (dict, list)) else value
        elif key in ("anyOf", "allOf", "oneOf"):
            out[key] = [crd_json_schema(v) for v in value]
        elif key.startswith("x-kubernetes-") or key in ("description", "default", "example", "nullable"):
            continue
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if "properties" in node and not node.get("x-kubernetes-preserve-unknown-fields") and "additionalProperties" not in node:
        out["additionalProperties"] = False
    return out


def load_crds(crd_dir):
    crds = {}
    for path in sorted(Path(crd_dir).glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            versions = {}
            for v in spec["versions"]:
                raw = v["schema"]["openAPIV3Schema"]
                versions[v["name"]] = {"served": v.get("served", False), "raw": raw, "schema": crd_json_schema(raw)}
            crds[(spec["group"], spec["names"]["kind"])] = {"file": path.name, "versions": versions, "scope": spec.get("scope")}
    return crds


def check_cel(schema, value, where, report):
    """Evaluates the CEL rules of `schema` and of the schemas below it against `value`."""
    if value is None or not isinstance(schema, dict):
        return
    for rule in schema.get("x-kubernetes-validations", []):
        text = rule["rule"]
        if "oldSelf" in text:
            report.cel_skipped["transition rule (the API server checks it on update only)"] = report.cel_skipped.get("transition rule (the API server checks it on update only)", 0) + 1
            continue
        if CEL is None:
            report.cel_skipped["cel-python not installed"] = report.cel_skipped.get("cel-python not installed", 0) + 1
            continue
        try:
            program = CEL.program(CEL.compile(text))
            result = program.evaluate({"self": celpy.json_to_cel(value)})
        except Exception as e:
            reason = str(e.args[0] if getattr(e, "args", None) else e)
            if reason.startswith(("no such member", "no such key")):
                # The API server fails a rule that reads a field the object does not have.
                report.error(where, f"CEL rule fails ({reason}): {rule.get('message', text)}")
                continue
            # A function this CEL library lacks: no verdict on the document.
            key = f"not evaluable here: {text[:60]}"
            report.cel_skipped[key] = report.cel_skipped.get(key, 0) + 1
            continue
        report.cel_checked += 1
        if isinstance(result, Exception) or not bool(result):
            report.error(where, f"CEL rule fails: {rule.get('message', text)}")
    props = schema.get("properties") or {}
    if isinstance(value, dict):
        for k, v in value.items():
            if k in props:
                check_cel(props[k], v, f"{where}.{k}", report)
            elif isinstance(schema.get("additionalProperties"), dict):
                check_cel(schema["additionalProperties"], v, f"{where}.{k}", report)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(value):
            check_cel(schema["items"], v, f"{where}[{i}]", report)


# ---------------------------------------------------------------- metadata


def walk_label_maps(value, where, report):
    """Label keys and values wherever a label map appears (labels, selectors, node selectors)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("labels", "matchLabels", "nodeSelector", "nodeLabels") and isinstance(v, dict):
                for lk, lv in v.items():
                    if not qualified_name_ok(lk):
                        report.error(where, f"invalid label key {lk!r}")
                    if not isinstance(lv, str) or len(lv) > 63 or not LABEL_VALUE.match(lv):
                        report.error(where, f"invalid label value {lv!r} for {lk}")
            elif k == "annotations" and isinstance(v, dict):
                for ak, av in v.items():
                    if not qualified_name_ok(ak):
                        report.error(where, f"invalid annotation key {ak!r}")
                    if not isinstance(av, str):
                        report.error(where, f"annotation {ak} is not a string: {av!r}")
            walk_label_maps(v, f"{where}.{k}", report)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            walk_label_maps(v, f"{where}[{i}]", report)


def check_metadata(doc, where, report):
    for field in ("apiVersion", "kind"):
        if not isinstance(doc.get(field), str) or not doc.get(field):
            report.error(where, f"missing {field}")
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        report.error(where, "missing metadata.name")
        return
    name, kind = meta["name"], doc.get("kind")
    pattern = DNS_LABEL if kind == "Namespace" else DNS_1035 if kind == "Service" else DNS_SUBDOMAIN
    if len(name) > (63 if kind in ("Namespace", "Service") else 253) or not pattern.match(name):
        report.error(where, f"invalid {kind} name {name!r}")
    if "namespace" in meta and (not isinstance(meta["namespace"], str) or not DNS_LABEL.match(meta["namespace"])):
        report.error(where, f"invalid namespace {meta['namespace']!r}")
    walk_label_maps(doc, where, report)


# ---------------------------------------------------------------- cross-object checks


def pod_templates(doc):
    """(pod metadata, pod spec, main container, replicas-per-group) of a workload object."""
    kind, spec = doc.get("kind"), doc.get("spec") or {}
    if kind == "Deployment":
        t = spec["template"]
        return [(t.get("metadata") or {}, t["spec"], t["spec"]["containers"][0])]
    if kind == "LeaderWorkerSet":
        lwt = spec["leaderWorkerTemplate"]
        out = [(lwt["workerTemplate"].get("metadata") or {}, lwt["workerTemplate"]["spec"], lwt["workerTemplate"]["spec"]["containers"][0])]
        if "leaderTemplate" in lwt:
            t = lwt["leaderTemplate"]
            out.append((t.get("metadata") or {}, t["spec"], t["spec"]["containers"][0]))
        return out
    if kind == "DynamoGraphDeployment":
        out = []
        for svc in (spec.get("services") or {}).values():
            eps = svc.get("extraPodSpec") or {}
            out.append((svc.get("extraPodMetadata") or {}, eps, eps.get("mainContainer") or {}))
        return out
    return []


def gpus_requested(doc):
    """GPUs a workload object requests in total, or None if it requests none."""
    kind, spec = doc.get("kind"), doc.get("spec") or {}
    if kind == "Deployment":
        limits = spec["template"]["spec"]["containers"][0].get("resources", {}).get("limits", {})
        per_pod = sum(int(limits.get(r, 0)) for r in GPU_RESOURCES)
        return spec["replicas"] * per_pod if per_pod else None
    if kind == "LeaderWorkerSet":
        limits = spec["leaderWorkerTemplate"]["workerTemplate"]["spec"]["containers"][0].get("resources", {}).get("limits", {})
        per_pod = sum(int(limits.get(r, 0)) for r in GPU_RESOURCES)
        return spec["replicas"] * spec["leaderWorkerTemplate"]["size"] * per_pod if per_pod else None
    if kind == "DynamoGraphDeployment":
        total = 0
        for svc in (spec.get("services") or {}).values():
            gpu = int(((svc.get("resources") or {}).get("limits") or {}).get("gpu", 0))
            nodes = (svc.get("multinode") or {}).get("nodeCount", 1)
            total += svc.get("replicas", 1) * nodes * gpu
        return total or None
    return None


def queue_name(doc):
    if doc.get("kind") == "DynamoGraphDeployment":
        for svc in (doc["spec"].get("services") or {}).values():
            q = (svc.get("labels") or {}).get("kueue.x-k8s.io/queue-name")
            if q:
                return q
        return None
    return (doc["metadata"].get("labels") or {}).get("kueue.x-k8s.io/queue-name")


def check_site(site, docs, report):
    by_kind = {}
    for where, doc in docs:
        by_kind.setdefault(doc.get("kind"), []).append((where, doc))
    names = lambda kind: {d["metadata"]["name"] for _, d in by_kind.get(kind, [])}
    namespaces = names("Namespace") | OPERATOR_NAMESPACES
    topologies = {d["metadata"]["name"]: [lv["nodeLabel"] for lv in d["spec"]["levels"]] for _, d in by_kind.get("Topology", [])}
    flavors = {d["metadata"]["name"]: d["spec"] for _, d in by_kind.get("ResourceFlavor", [])}
    queues = {d["metadata"]["name"]: d["spec"] for _, d in by_kind.get("ClusterQueue", [])}
    local_queues = {(d["metadata"].get("namespace"), d["metadata"]["name"]): d["spec"]["clusterQueue"] for _, d in by_kind.get("LocalQueue", [])}
    channels = {(d["metadata"].get("namespace"), d["spec"]["channel"]["resourceClaimTemplate"]["name"]) for _, d in by_kind.get("ComputeDomain", [])}
    levels = {lv for ls in topologies.values() for lv in ls}

    seen = {}
    for where, doc in docs:
        ns = doc["metadata"].get("namespace")
        if ns and ns not in namespaces:
            report.error(where, f"namespace {ns!r} is not created by this target")
        key = (doc["apiVersion"].rpartition("/")[0], doc["kind"], ns, doc["metadata"]["name"])
        if key in seen:
            report.error(where, f"{doc['kind']} {doc['metadata']['name']!r} is also written by {seen[key]}")
        seen.setdefault(key, where)
    for name, spec in flavors.items():
        if spec.get("topologyName") and spec["topologyName"] not in topologies:
            report.error(site, f"ResourceFlavor {name} names a missing Topology {spec['topologyName']}")
    for name, spec in queues.items():
        for rg in spec.get("resourceGroups", []):
            for f in rg["flavors"]:
                if f["name"] not in flavors:
                    report.error(site, f"ClusterQueue {name} names a missing ResourceFlavor {f['name']}")
    for (ns, name), cq in local_queues.items():
        if cq not in queues:
            report.error(site, f"LocalQueue {ns}/{name} names a missing ClusterQueue {cq}")

    for kind in ("Deployment", "LeaderWorkerSet", "DynamoGraphDeployment"):
        for where, doc in by_kind.get(kind, []):
            ns = doc["metadata"].get("namespace")
            requested = gpus_requested(doc)
            q = queue_name(doc)
            if requested and not q:
                report.error(where, "requests GPUs but has no kueue.x-k8s.io/queue-name label")
            if q:
                cq_name = local_queues.get((ns, q))
                if cq_name is None:
                    report.error(where, f"queue-name {q!r} is not a LocalQueue of namespace {ns}")
                else:
                    quota = sum(
                        int(r["nominalQuota"])
                        for rg in queues[cq_name].get("resourceGroups", [])
                        for f in rg["flavors"]
                        for r in f["resources"]
                        if r["name"] in GPU_RESOURCES
                    )
                    if quota != requested:
                        report.error(where, f"ClusterQueue {cq_name} holds {quota} GPUs, the workload requests {requested}")
            for meta, pod, container in pod_templates(doc):
                for key in ("kueue.x-k8s.io/podset-required-topology", "kueue.x-k8s.io/podset-preferred-topology"):
                    level = (meta.get("annotations") or {}).get(key)
                    if level and level not in levels:
                        report.error(where, f"{key} {level!r} is not a level of any Topology")
                system = (pod.get("nodeSelector") or {}).get("millwright.dev/system")
                if system and not any((f.get("nodeLabels") or {}).get("millwright.dev/system") == system for f in flavors.values()):
                    report.error(where, f"nodeSelector system {system!r} matches no ResourceFlavor")
                claims = {c["name"]: c.get("resourceClaimTemplateName") for c in pod.get("resourceClaims") or []}
                for claim, template in claims.items():
                    if (ns, template) not in channels:
                        report.error(where, f"resource claim {claim} uses template {template!r}, which no ComputeDomain of {ns} creates")
                used = {c["name"] for c in ((container.get("resources") or {}).get("claims") or [])}
                if kind == "DynamoGraphDeployment":
                    for svc in doc["spec"]["services"].values():
                        if (svc.get("extraPodSpec") or {}) is pod:
                            used |= {c["name"] for c in ((svc.get("resources") or {}).get("claims") or [])}
                if set(claims) != used:
                    report.error(where, f"pod claims {sorted(claims)} but its container uses {sorted(used)}")


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="a build's output folder (holding kubernetes/)")
    ap.add_argument("--view", required=True, help="the build view of the same blueprint (millwright build --view)")
    ap.add_argument("--crds", required=True, help="folder of upstream CRDs")
    ap.add_argument("--description", action="store_true", help="check that every Namespace carries the factory's description exactly")
    args = ap.parse_args()

    view = json.loads(Path(args.view).read_text())
    crds = load_crds(args.crds)
    report = Report()
    root = Path(args.out) / "kubernetes"
    sites = {s["slug"]: s for s in view["sites"]}
    if not root.is_dir():
        report.error(str(root), "no kubernetes output")
    for site_dir in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        site = sites.get(site_dir.name)
        if site is None:
            report.error(str(site_dir), "folder is not a site of the view")
            continue
        version = site["kubernetes"]["version"]
        docs, core = [], []
        for path in sorted(site_dir.glob("*.yaml")):
            try:
                loaded = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
            except yaml.YAMLError as e:
                report.error(str(path), f"not YAML: {e}")
                continue
            for i, doc in enumerate(d for d in loaded if d is not None):
                where = f"{path.relative_to(root)}#{i}"
                report.documents += 1
                if not isinstance(doc, dict):
                    report.error(where, "document is not a mapping")
                    continue
                check_metadata(doc, where, report)
                if not isinstance(doc.get("metadata"), dict) or "name" not in doc["metadata"]:
                    continue
                docs.append((where, doc))
                group, _, api_version = doc["apiVersion"].rpartition("/")
                crd = crds.get((group, doc["kind"]))
                if crd is None:
                    if group and "." in group and not group.endswith(".k8s.io"):
                        report.error(where, f"custom resource {doc['apiVersion']} {doc['kind']} has no CRD in {args.crds}")
                        continue
                    core.append(doc)
                    continue
                report.custom += 1
                served = crd["versions"].get(api_version)
                if served is None or not served["served"]:
                    report.error(where, f"{doc['apiVersion']} is not a served version of {crd['file']}")
                    continue
                validator = jsonschema.Draft202012Validator(served["schema"])
                for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
                    path_text = "/".join(str(p) for p in err.absolute_path)
                    report.error(where, f"{crd['file']} {api_version} at /{path_text}: {err.message}")
                if (crd["scope"] == "Namespaced") != ("namespace" in doc["metadata"]):
                    report.error(where, f"{doc['kind']} is {crd['scope']}-scoped; metadata.namespace {'missing' if crd['scope'] == 'Namespaced' else 'set'}")
                check_cel(served["raw"], doc, where, report)
        if args.description:
            for where, doc in docs:
                if doc.get("kind") == "Namespace":
                    got = (doc["metadata"].get("annotations") or {}).get("kubernetes.io/description")
                    if got != view["factory"]["description"]:
                        report.error(where, f"description annotation {got!r} differs from {view['factory']['description']!r}")
        if core:
            report.core += len(core)
            with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
                yaml.safe_dump_all(core, f, sort_keys=False, allow_unicode=True)
                tmp = f.name
            run = subprocess.run(["kubernetes-validate", "--strict", "--quiet", "-k", version, tmp], capture_output=True, text=True)
            Path(tmp).unlink()
            if run.returncode != 0:
                report.error(str(site_dir), f"kubernetes-validate --strict -k {version}:\n{run.stdout}{run.stderr}")
        check_site(str(site_dir.relative_to(root)), docs, report)

    print(f"  {report.documents} documents: {report.custom} custom resources against their CRDs, {report.core} core objects against Kubernetes schemas; {report.cel_checked} CEL rules evaluated")
    for reason, n in sorted(report.cel_skipped.items()):
        print(f"  CEL rules not evaluated ({n}): {reason}")
    for e in report.errors:
        print(f"  FAIL {e}")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
