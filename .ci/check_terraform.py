#!/usr/bin/env python3
"""Checks the `terraform` build target's output against the e-breuninger/netbox provider's schema.

    check_terraform.py SCHEMA DIR [--terraform BIN] [--expect FILE]
    check_terraform.py hostile OUTDIR
    check_terraform.py scale OUTDIR

The first form checks one built `terraform/` folder:

* Terraform itself evaluates `locals.tf` over `factory.json` (a copy of the two files with an output
  per local, applied with no provider, which works offline): every field the HCL reads must be in
  the JSON, and every for_each map is then known instance by instance.
* Every resource argument is evaluated for every instance (literals, `each.*`, `local.*`, `var.*`
  and `netbox_*.NAME[KEY].id` references; anything else is rejected as unchecked) and checked
  against the schema: the resource type and each argument exist, required arguments are set, no
  computed argument is set, types match, literals are among the valid values the description lists,
  and "Required when" / "Conflicts with" / "Exactly one of" hold. References must name an instance
  that exists, of the resource type the argument expects.
* NetBox's own model rules that the provider leaves to the server: name, slug and description
  lengths, uniqueness per scope, power-feed ranges, rack positions inside the rack and not
  overlapping, children in the same site and location as their rack, custom fields declared for
  the object type before they are used.
* The provider comes from `e-breuninger/netbox` with a version constraint, and the URL and token are
  variables without a default value.

`--expect FILE` (JSON with `description`, `names`) also checks that the factory description reaches
the tenant unchanged, through Terraform's own evaluation, and that each listed name is the name of
some NetBox object. The `hostile` form writes such a blueprint and its expectations; the `scale`
form writes a blueprint of 10,000 racks, whose output size the conformance script bounds.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import hcl2

META_ARGS = {"for_each", "count", "depends_on", "lifecycle", "provider"}

# NetBox custom field types (extras.choices.CustomFieldTypeChoices) and the object types used here.
CUSTOM_FIELD_TYPES = {
    "text", "longtext", "integer", "decimal", "boolean", "date", "datetime", "url", "json",
    "select", "multiselect", "object", "multiobject",
}
OBJECT_TYPES = {
    "netbox_tenant": "tenancy.tenant",
    "netbox_site": "dcim.site",
    "netbox_location": "dcim.location",
    "netbox_rack": "dcim.rack",
    "netbox_device": "dcim.device",
    "netbox_device_type": "dcim.devicetype",
    "netbox_power_panel": "dcim.powerpanel",
    "netbox_power_feed": "dcim.powerfeed",
}
# `<x>_id` references `netbox_<x>`, except these.
REFERENCE_TYPES = {
    ("netbox_device", "role_id"): "netbox_device_role",
    ("netbox_rack", "role_id"): "netbox_rack_role",
    ("netbox_location", "parent_id"): "netbox_location",
}
# NetBox uniqueness constraints: the arguments that together must be unique.
UNIQUE = {
    "netbox_tenant": [("name",), ("slug",)],
    "netbox_site": [("name",), ("slug",)],
    "netbox_location": [("site_id", "parent_id", "name"), ("site_id", "parent_id", "slug")],
    "netbox_rack": [("location_id", "tenant_id", "name")],
    "netbox_device": [("site_id", "tenant_id", "name")],
    "netbox_power_panel": [("site_id", "name")],
    "netbox_power_feed": [("power_panel_id", "name")],
    "netbox_manufacturer": [("name",), ("slug",)],
    "netbox_device_type": [("manufacturer_id", "model"), ("manufacturer_id", "slug")],
    "netbox_device_role": [("name",), ("slug",)],
    "netbox_custom_field": [("name",)],
}
NAME_MAX = {"netbox_device": 64}
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
# The provider's documented configuration arguments.
PROVIDER_ARGS = {
    "server_url", "api_token", "allow_insecure_https", "headers", "request_timeout",
    "skip_version_check", "strip_trailing_slashes_from_url", "default_tags",
}


class Ref:
    """`netbox_T.NAME[KEY].id`: the id of another resource's instance."""

    def __init__(self, rtype, name, key):
        self.rtype, self.name, self.key = rtype, name, key

    def ident(self):
        return (self.rtype, self.name, self.key)

    def __eq__(self, other):
        return isinstance(other, Ref) and self.ident() == other.ident()

    def __hash__(self):
        return hash(self.ident())

    def __repr__(self):
        return f"{self.rtype}.{self.name}[{self.key!r}].id" if self.key is not None else f"{self.rtype}.{self.name}.id"


class Var:
    def __init__(self, name):
        self.name = name


class ResourceRef:
    def __init__(self, rtype, name):
        self.rtype, self.name = rtype, name


class Unsupported(Exception):
    pass


class Checker:
    def __init__(self, schema, folder):
        self.schema = schema["resources"]
        self.folder = folder
        self.errors = []

    def error(self, where, message):
        self.errors.append(f"{where}: {message}")

    # ---- HCL -----------------------------------------------------------------------------------

    def parse(self):
        self.files = {}
        for name in sorted(os.listdir(self.folder)):
            if name.endswith(".tf"):
                with open(os.path.join(self.folder, name), encoding="utf-8") as f:
                    self.files[name] = hcl2.load(f)
        if not self.files:
            self.error(self.folder, "no .tf files")
        with open(os.path.join(self.folder, "factory.json"), encoding="utf-8") as f:
            self.data = json.load(f)
        self.resources = {}  # (type, name) -> body
        self.variables = {}
        for fname, doc in self.files.items():
            if "locals" in doc and fname != "locals.tf":
                self.error(fname, "locals belong in locals.tf, which the evaluation reads")
            for block in doc.get("resource", []):
                for rtype, named in block.items():
                    if is_meta(rtype):
                        continue
                    for rname, body in named.items():
                        if not is_meta(rname):
                            self.resources[(unquote(rtype), unquote(rname))] = body
            for block in doc.get("variable", []):
                for vname, body in block.items():
                    if not is_meta(vname):
                        self.variables[unquote(vname)] = body

    # ---- evaluation by Terraform ---------------------------------------------------------------

    def evaluate_locals(self, terraform):
        doc = self.files.get("locals.tf", {})
        names = [k for block in doc.get("locals", []) for k in block if not is_meta(k)]
        probe = tempfile.mkdtemp(prefix="mw-tf-probe-")
        try:
            shutil.copy(os.path.join(self.folder, "locals.tf"), probe)
            shutil.copy(os.path.join(self.folder, "factory.json"), probe)
            with open(os.path.join(probe, "probe.tf"), "w", encoding="utf-8") as f:
                for n in names:
                    f.write(f'output "{n}" {{\n  value = local.{n}\n}}\n')
            env = dict(os.environ, TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1")
            cli = os.path.join(probe, "cli.tfrc")
            open(cli, "w").close()
            env["TF_CLI_CONFIG_FILE"] = cli
            env.pop("TF_DATA_DIR", None)
            for args in (["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]):
                r = subprocess.run([terraform] + args, cwd=probe, env=env, capture_output=True, text=True)
                if r.returncode != 0:
                    self.error("locals.tf", f"terraform {args[0]} failed:\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
                    return False
            r = subprocess.run([terraform, "output", "-json", "-no-color"], cwd=probe, env=env, capture_output=True, text=True)
            if r.returncode != 0:
                self.error("locals.tf", f"terraform output failed: {r.stderr[-3000:]}")
                return False
            self.locals = {k: v["value"] for k, v in json.loads(r.stdout).items()}
            missing = set(names) - set(self.locals)
            for n in sorted(missing):
                # Terraform leaves out outputs whose value is null.
                self.locals[n] = None
            return True
        finally:
            shutil.rmtree(probe, ignore_errors=True)

    # ---- expressions ---------------------------------------------------------------------------

    def value(self, expr, each, where):
        if expr is None or isinstance(expr, (bool, int, float)):
            return expr
        if isinstance(expr, list):
            return [self.value(e, each, where) for e in expr]
        if isinstance(expr, dict):
            return {unquote(k): self.value(v, each, where) for k, v in expr.items() if not is_meta(k)}
        if not isinstance(expr, str):
            raise Unsupported(repr(expr))
        if expr.startswith('"') and expr.endswith('"') and len(expr) >= 2:
            return literal(expr)
        m = re.fullmatch(r"\$\{(.*)\}", expr, re.S)
        if not m:
            raise Unsupported(expr)
        inner = m.group(1).strip()
        if inner == "null":
            return None
        if inner in ("true", "false"):
            return inner == "true"
        if inner == "each.key":
            if each is None:
                raise Unsupported("each.key outside for_each")
            return each[0]
        m = re.fullmatch(r"each\.value((?:\.\w+)*)", inner)
        if m:
            if each is None:
                raise Unsupported("each.value outside for_each")
            return walk(each[1], m.group(1), f"{where}: each.value")
        m = re.fullmatch(r"local((?:\.\w+)+)", inner)
        if m:
            return walk(self.locals, m.group(1), f"{where}: local")
        m = re.fullmatch(r"var\.(\w+)", inner)
        if m:
            return Var(m.group(1))
        m = re.fullmatch(r"(netbox_\w+)\.(\w+)(?:\[(.+)\])?\.id", inner)
        if m:
            key = self.value("${" + m.group(3) + "}", each, where) if m.group(3) else None
            return Ref(m.group(1), m.group(2), key)
        m = re.fullmatch(r"(netbox_\w+)\.(\w+)", inner)
        if m:
            return ResourceRef(m.group(1), m.group(2))
        raise Unsupported(expr)

    # ---- resources -----------------------------------------------------------------------------

    def instances(self, rtype, rname, body):
        where = f"{rtype}.{rname}"
        if "count" in body:
            self.error(where, "count is not checked; use for_each over a local")
            return {}
        if "for_each" not in body:
            return {None: None}
        fe = body["for_each"]
        m = re.fullmatch(r"\$\{local\.(\w+)\}", fe) if isinstance(fe, str) else None
        if not m:
            self.error(where, f"for_each must be a local map, not {fe!r}")
            return {}
        got = self.locals.get(m.group(1))
        if not isinstance(got, dict):
            self.error(where, f"local.{m.group(1)} is not a map")
            return {}
        return {k: (k, v) for k, v in got.items()}

    def check_resources(self):
        self.evaluated = {}  # (type, name) -> {key: args}
        for (rtype, rname), body in sorted(self.resources.items()):
            where = f"{rtype}.{rname}"
            spec = self.schema.get(rtype)
            if spec is None:
                self.error(where, f"the provider has no resource `{rtype}`")
                continue
            req, opt, comp = spec.get("required", {}), spec.get("optional", {}), spec.get("computed", {})
            blocks = spec.get("blocks", {})
            attrs = {k: v for k, v in body.items() if not is_meta(k)}
            for k, v in attrs.items():
                if k in META_ARGS:
                    continue
                if isinstance(v, list) and v and all(isinstance(b, dict) and b.get("__is_block__") for b in v):
                    if k not in blocks:
                        self.error(where, f"block `{k}` does not exist")
                    continue
                if k in comp and k not in req and k not in opt:
                    self.error(where, f"`{k}` is read-only (computed) and may not be set")
                elif k not in req and k not in opt:
                    self.error(where, f"argument `{k}` does not exist")
            for k in req:
                if k not in attrs:
                    self.error(where, f"required argument `{k}` is missing")
            for b, bspec in blocks.items():
                if bspec.get("required_block") and b not in attrs:
                    self.error(where, f"required block `{b}` is missing")
            out = {}
            for key, each in self.instances(rtype, rname, body).items():
                iw = where if key is None else f"{where}[{key!r}]"
                args = {}
                for k, v in attrs.items():
                    if k in ("for_each", "lifecycle", "provider"):
                        continue
                    try:
                        args[k] = self.value(v, each, iw)
                    except Unsupported as e:
                        self.error(iw, f"`{k}`: expression the checker cannot evaluate: {e}")
                    except KeyError as e:
                        self.error(iw, f"`{k}`: {e.args[0]}")
                self.check_instance(rtype, iw, args, req, opt)
                out[key] = args
            self.evaluated[(rtype, rname)] = out

    def check_instance(self, rtype, where, args, req, opt):
        specs = {**opt, **req}
        for k in req:
            if k in args and args[k] is None:
                self.error(where, f"required argument `{k}` is null")
        for k, v in args.items():
            if k in META_ARGS or k not in specs or v is None:
                continue
            spec = specs[k]
            desc = spec.get("description", "")
            self.check_type(where, rtype, k, spec["type"], v)
            valid = valid_values(desc)
            if valid is not None and not isinstance(v, (Ref, Var)) and norm(v) not in valid:
                self.error(where, f"`{k}` = {v!r} is not one of {sorted(valid)}")
            for other in names_after(desc, r"Conflicts with (.*?)(?:\.|$)"):
                if args.get(other) is not None:
                    self.error(where, f"`{k}` conflicts with `{other}`")
        for k, spec in specs.items():
            desc = spec.get("description", "")
            when = names_after(desc, r"Required when (.*?) (?:is|are) set")
            if when and args.get(k) is None and any(args.get(w) is not None for w in when if w != k):
                self.error(where, f"`{k}` is required when {', '.join(f'`{w}`' for w in when)} is set")
            group = names_after(desc, r"Exactly one of (.*?) must be given")
            if group and sum(args.get(g) is not None for g in group) != 1:
                self.error(where, f"exactly one of {group} must be set")
            group = names_after(desc, r"At least one of (.*?) must be given")
            if group and not any(args.get(g) is not None for g in group):
                self.error(where, f"at least one of {group} must be set")

    def check_type(self, where, rtype, k, t, v):
        if isinstance(v, Var):
            self.error(where, f"`{k}` reads a variable; resources take their values from factory.json")
            return
        if isinstance(v, Ref):
            expected = REFERENCE_TYPES.get((rtype, k), "netbox_" + k[:-3] if k.endswith("_id") else None)
            if t != "Number" or expected is None:
                self.error(where, f"`{k}` ({t}) cannot hold a reference")
            elif v.rtype != expected:
                self.error(where, f"`{k}` references {v.rtype}, expected {expected}")
            return
        ok = {
            "Number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
            "String": lambda x: isinstance(x, str),
            "Boolean": lambda x: isinstance(x, bool),
            "Set of String": lambda x: isinstance(x, list) and all(isinstance(e, str) for e in x),
            "List of String": lambda x: isinstance(x, list) and all(isinstance(e, str) for e in x),
            "Set of Number": lambda x: isinstance(x, list) and all(isinstance(e, (int, float, Ref)) for e in x),
            "List of Number": lambda x: isinstance(x, list) and all(isinstance(e, (int, float, Ref)) for e in x),
            "Map of String": lambda x: isinstance(x, dict) and all(isinstance(e, str) for e in x.values()),
        }.get(t)
        if ok is None:
            self.error(where, f"`{k}` has schema type {t}, which the checker does not know")
        elif not ok(v):
            self.error(where, f"`{k}` = {v!r} is not a {t}")

    # ---- references and NetBox's model rules ---------------------------------------------------

    def check_references(self):
        for (rtype, rname), insts in self.evaluated.items():
            for key, args in insts.items():
                where = f"{rtype}.{rname}" + ("" if key is None else f"[{key!r}]")
                for k, v in args.items():
                    refs = v if isinstance(v, list) else [v]
                    for r in refs:
                        if isinstance(r, Ref):
                            target = self.evaluated.get((r.rtype, r.name))
                            if target is None:
                                self.error(where, f"`{k}` references {r.rtype}.{r.name}, which is not declared")
                            elif r.key not in target:
                                self.error(where, f"`{k}` references {r!r}, which has no such instance")
                        elif isinstance(r, ResourceRef) and (r.rtype, r.name) not in self.evaluated:
                            self.error(where, f"`{k}` names {r.rtype}.{r.name}, which is not declared")

    def check_netbox_rules(self):
        ev = self.evaluated
        by_type = {}
        for (rtype, rname), insts in ev.items():
            for key, args in insts.items():
                by_type.setdefault(rtype, []).append((f"{rtype}.{rname}" + ("" if key is None else f"[{key!r}]"), args))
        # Lengths and slugs.
        for rtype, items in by_type.items():
            for where, a in items:
                for field in ("name", "model"):
                    v = a.get(field)
                    if isinstance(v, str) and not 0 < len(v) <= NAME_MAX.get(rtype, 100):
                        self.error(where, f"`{field}` has {len(v)} characters; NetBox allows 1 to {NAME_MAX.get(rtype, 100)}")
                v = a.get("description")
                if isinstance(v, str) and len(v) > 200:
                    self.error(where, f"`description` has {len(v)} characters; NetBox allows 200")
                v = a.get("slug")
                if v is not None and not (isinstance(v, str) and SLUG_RE.match(v) and len(v) <= 100):
                    self.error(where, f"`slug` {v!r} is not a NetBox slug")
                v = a.get("color_hex")
                if v is not None and not re.fullmatch(r"[0-9a-f]{6}", str(v)):
                    self.error(where, f"`color_hex` {v!r} is not six lower-case hex digits")
        # Uniqueness within NetBox's scopes (device names case-insensitively).
        for rtype, constraints in UNIQUE.items():
            for fields in constraints:
                seen = {}
                for where, a in by_type.get(rtype, []):
                    if any(a.get(f) is None for f in fields if f != "parent_id" and f != "tenant_id"):
                        continue
                    ident = tuple(
                        (a.get(f).lower() if rtype == "netbox_device" and isinstance(a.get(f), str) else a.get(f)) for f in fields
                    )
                    if ident in seen:
                        self.error(where, f"{'/'.join(fields)} {ident!r} is also used by {seen[ident]}")
                    seen.setdefault(ident, where)
        # Power feeds: NetBox's integer ranges; the rack in the panel's site.
        for where, a in by_type.get("netbox_power_feed", []):
            checks = [("voltage", -32768, 32767), ("amperage", 1, 32767), ("max_percent_utilization", 1, 100)]
            for field, lo, hi in checks:
                v = a.get(field)
                if isinstance(v, (int, float)) and not (lo <= v <= hi and float(v).is_integer() and v != 0):
                    self.error(where, f"`{field}` = {v} is outside NetBox's range {lo}..{hi} for an integer")
            rack, panel = self.args_of(a.get("rack_id")), self.args_of(a.get("power_panel_id"))
            if rack and panel and rack.get("site_id") != panel.get("site_id"):
                self.error(where, "the rack and the power panel are in different sites")
        # Racks: height, weights.
        for where, a in by_type.get("netbox_rack", []):
            u = a.get("u_height")
            if u is not None and not (1 <= u <= 100 and float(u).is_integer()):
                self.error(where, f"`u_height` = {u} is outside 1..100")
            mw = a.get("max_weight")
            if mw is not None and not (mw >= 0 and float(mw).is_integer()):
                self.error(where, f"`max_weight` = {mw} is not a whole number")
            w = a.get("weight")
            if w is not None and not (w >= 0 and round(w, 2) == w):
                self.error(where, f"`weight` = {w} has more than two decimals")
        # Children agree with their parents on site and location.
        for rtype, items in by_type.items():
            for where, a in items:
                for k, v in a.items():
                    if not isinstance(v, Ref) or k in ("tenant_id",):
                        continue
                    parent = self.args_of(v)
                    if not parent:
                        continue
                    for field in ("site_id", "location_id"):
                        if field in a and field in parent and a[field] != parent[field]:
                            self.error(where, f"`{field}` differs from that of {v!r}")
                    if k == "location_id" and "site_id" in a and parent.get("site_id") != a["site_id"]:
                        self.error(where, f"the location {v!r} is in another site")
        # Devices: inside their rack and not overlapping.
        occupied = {}
        for where, a in by_type.get("netbox_device", []):
            pos = a.get("rack_position")
            if pos is None:
                continue
            rack = self.args_of(a.get("rack_id"))
            dtype = self.args_of(a.get("device_type_id"))
            if rack is None or dtype is None:
                self.error(where, "`rack_position` without a rack or device type to check it against")
                continue
            height = dtype.get("u_height") or 1
            if pos < 1 or (pos * 2) % 1 or pos + height - 1 > (rack.get("u_height") or 42):
                self.error(where, f"units {pos}..{pos + height - 1} do not fit the rack's {rack.get('u_height')} units")
            units = occupied.setdefault(a["rack_id"], {})
            for u in range(int(pos), int(pos + height)):
                if u in units:
                    self.error(where, f"unit {u} is already taken by {units[u]}")
                units[u] = where
        # Custom fields: declared, valid, for the object type, and created first.
        declared = {}
        for where, a in by_type.get("netbox_custom_field", []):
            name = a.get("name")
            if not (isinstance(name, str) and re.fullmatch(r"[a-z0-9_]+", name) and "__" not in name and len(name) <= 50):
                self.error(where, f"custom field name {name!r} is not valid in NetBox")
            if a.get("type") not in CUSTOM_FIELD_TYPES:
                self.error(where, f"custom field type {a.get('type')!r} is not one of NetBox's")
            for ct in a.get("content_types") or []:
                if ct not in OBJECT_TYPES.values():
                    self.error(where, f"content type {ct!r} is not an object type this target writes")
            declared[name] = set(a.get("content_types") or [])
        for (rtype, rname), insts in ev.items():
            body = self.resources[(rtype, rname)]
            deps = body.get("depends_on") or []
            uses = [(key, a["custom_fields"]) for key, a in insts.items() if a.get("custom_fields")]
            if uses and not any(re.fullmatch(r"\$\{netbox_custom_field\.\w+\}", d or "") for d in deps):
                self.error(f"{rtype}.{rname}", "sets custom fields but does not depend on their netbox_custom_field")
            for key, cf in uses:
                where = f"{rtype}.{rname}[{key!r}]"
                for name in cf:
                    if name not in declared:
                        self.error(where, f"custom field `{name}` is not declared")
                    elif OBJECT_TYPES.get(rtype) not in declared[name]:
                        self.error(where, f"custom field `{name}` is not declared for {OBJECT_TYPES.get(rtype)}")

    def args_of(self, ref):
        if not isinstance(ref, Ref):
            return None
        return self.evaluated.get((ref.rtype, ref.name), {}).get(ref.key)

    # ---- provider, versions, variables ---------------------------------------------------------

    def check_configuration(self):
        providers = {}
        for fname, doc in self.files.items():
            for block in doc.get("terraform", []):
                for rp in block.get("required_providers", []):
                    for name, spec in rp.items():
                        if not is_meta(name):
                            providers[name] = {k: literal(v) for k, v in spec.items() if not is_meta(k)}
        nb = providers.get("netbox")
        if not nb or nb.get("source") != "e-breuninger/netbox":
            self.error("versions.tf", "required_providers must name netbox = e-breuninger/netbox")
        elif not re.search(r"\d", nb.get("version") or ""):
            self.error("versions.tf", "the netbox provider needs a version constraint")
        blocks = [b for doc in self.files.values() for block in doc.get("provider", []) for n, b in block.items() if not is_meta(n) and unquote(n) == "netbox"]
        if len(blocks) != 1:
            self.error("versions.tf", "one provider \"netbox\" block is expected")
            return
        cfg = {k: v for k, v in blocks[0].items() if not is_meta(k)}
        for k in cfg:
            if k not in PROVIDER_ARGS:
                self.error("provider.netbox", f"argument `{k}` does not exist")
        for k in ("server_url", "api_token"):
            m = re.fullmatch(r"\$\{var\.(\w+)\}", str(cfg.get(k, "")))
            if not m:
                self.error("provider.netbox", f"`{k}` must be a variable, never a value")
                continue
            var = self.variables.get(m.group(1))
            if var is None:
                self.error("provider.netbox", f"variable `{m.group(1)}` is not declared")
            elif "default" in var:
                self.error(f"variable.{m.group(1)}", "must not have a default value")
            elif k == "api_token" and var.get("sensitive") is not True:
                self.error(f"variable.{m.group(1)}", "the token must be sensitive")

    def check_expectations(self, expect):
        tenant = next(iter(self.evaluated.get(("netbox_tenant", "factory"), {}).values()), {})
        want = expect["description"]
        got_json = self.data.get("tenant", {}).get("description")
        if got_json != want:
            self.error("factory.json", f"tenant description {got_json!r} differs from the blueprint's {want!r}")
        if tenant.get("description") != want:
            self.error("netbox_tenant.factory", f"description as Terraform reads it, {tenant.get('description')!r}, differs from {want!r}")
        names = set()
        for insts in self.evaluated.values():
            for a in insts.values():
                for field in ("name", "model"):
                    if isinstance(a.get(field), str):
                        names.add(a[field])
        for n in expect.get("names", []):
            if n not in names:
                self.error("names", f"{n!r} is not the name of any NetBox object")
        values = set()
        for insts in self.evaluated.values():
            for a in insts.values():
                values.update(v for v in (a.get("custom_fields") or {}).values())
        for v in expect.get("custom_field_values", []):
            if v not in values:
                self.error("custom fields", f"{v!r} is not the value of any custom field")

    def run(self, terraform, expect):
        self.parse()
        if self.errors or not self.evaluate_locals(terraform):
            return self.errors
        self.check_resources()
        self.check_references()
        self.check_netbox_rules()
        self.check_configuration()
        if expect:
            self.check_expectations(expect)
        return self.errors

    def summary(self):
        parts = []
        for (rtype, rname), insts in sorted(self.evaluated.items()):
            parts.append(f"{rtype}.{rname}={len(insts)}")
        return ", ".join(parts)


# ---- helpers -----------------------------------------------------------------------------------


def is_meta(key):
    """python-hcl2's own keys (`__is_block__`, `__comments__`, ...)."""
    return isinstance(key, str) and key.startswith("__") and key.endswith("__")


def unquote(s):
    return s[1:-1] if isinstance(s, str) and len(s) >= 2 and s[0] == s[-1] == '"' else s


def literal(s):
    """An HCL quoted string without interpolation, decoded."""
    if not isinstance(s, str) or not (s.startswith('"') and s.endswith('"')):
        return s
    inner = s[1:-1]
    plain = inner.replace("$${", "").replace("%%{", "")
    if "${" in plain or "%{" in plain:
        raise Unsupported(f"template string {s}")
    inner = inner.replace("$${", "${").replace("%%{", "%{")
    return json.loads('"' + inner + '"')


def walk(root, path, where):
    cur = root
    for part in [p for p in path.split(".") if p]:
        if not isinstance(cur, dict) or part not in cur:
            raise KeyError(f"{where} has no field `{part}`")
        cur = cur[part]
    return cur


def norm(v):
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).lower() if isinstance(v, bool) else str(v)


def valid_values(desc):
    m = re.search(r"One of \[([^\]]*)\]", desc)
    if m:
        return {x.strip() for x in m.group(1).split(",")}
    m = re.search(r"Valid values are (.*?)\.(?:\s|$)", desc)
    if m:
        return set(re.findall(r"`([^`]*)`", m.group(1)))
    return None


def names_after(desc, pattern):
    m = re.search(pattern, desc)
    return re.findall(r"`([^`]*)`", m.group(1)) if m else []


# ---- the hostile blueprint ---------------------------------------------------------------------

HOSTILE_DESCRIPTION = (
    'Quote " backslash \\ ${var.netbox_api_token} %{ if true }x%{ endif } $${kept} %%{kept}\n'
    "second line\ttab; yes: no - [a] {b} & *c !d #e 'f' >g |h ~ null 0x1F \U0001F680\U0001F1EA\U0001F1FA"
)
HOSTILE = {
    "factory": 'evil "${factory}" %{x} \\ \U0001F680',
    "site": 'Z\u00fcrich ${site} "q"',
    "loop": 'loop %{b} "c"',
    "hall_liquid": "H\\1 ${h}",
    "hall_air": "B%{y} \U0001F680",
    "row_liquid": 'R"1',
    "row_air": "yes: no",
    "fabric": 'fab ${x} "q"',
    "feed": "feed ${a}",
}


def kdl(s):
    out = '"'
    for c in s:
        if c == '"':
            out += '\\"'
        elif c == "\\":
            out += "\\\\"
        elif c == "\n":
            out += "\\n"
        elif c == "\t":
            out += "\\t"
        elif ord(c) < 0x20:
            out += "\\u{%x}" % ord(c)
        else:
            out += c
    return out + '"'


def write_hostile(outdir):
    h = {k: kdl(v) for k, v in HOSTILE.items()}
    text = f"""factory {h['factory']} {{
    description {kdl(HOSTILE_DESCRIPTION)}
    currency "EUR"
}}

site {h['site']} {{
    power {{
        feed {h['feed']} capacity=(MW)2
        pue 1.3
        energy-price (EUR)0.1 per="kWh"
    }}
    cooling {{
        loop {h['loop']} supply=(C)35 {{
            cdu "cdu-2000kw" count=2 redundancy="N+1"
        }}
        air capacity=(MW)1
    }}
    hall {h['hall_liquid']} {{
        row {h['row_liquid']} {{
            rack "gb200-nvl72" count=2 loop={h['loop']}
        }}
    }}
    hall {h['hall_air']} {{
        row {h['row_air']} {{
            rack "rack-air-contained-48u" count=2 {{
                system "hgx-h100-8" count=2
            }}
        }}
    }}
}}

fabric {h['fabric']} kind="infiniband" {{
    switch "quantum-2-qm9700"
    topology "fat-tree" oversubscription=1
}}

software {{
    os "ubuntu-24.04"
    driver "580.95"
    cuda "13.0"
    kubernetes "1.34"
    gpu-operator "25.10.0"
    serving "vllm" version="0.11.0"
}}

workload "w ${{x}}" {{
    model "llama-3.1-8b"
    precision "bf16"
    tokens input=2048 output=256
    gpus 8
}}
"""
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "factory.kdl"), "w", encoding="utf-8") as f:
        f.write(text)
    names = [HOSTILE["factory"], HOSTILE["site"], HOSTILE["hall_liquid"], HOSTILE["hall_air"]]
    with open(os.path.join(outdir, "expect.json"), "w", encoding="utf-8") as f:
        json.dump({"description": HOSTILE_DESCRIPTION, "names": names, "custom_field_values": [HOSTILE["loop"]]}, f, ensure_ascii=False)


def write_scale(outdir):
    """A factory of 10,000 GB200 NVL72 racks (180,000 compute trays), for the output's size."""
    halls = "\n".join(
        f"""    hall "{h}" {{
        row "{h}" count=25 {{
            rack "gb200-nvl72" count=40 loop="tcs-1"
        }}
    }}"""
        for h in "ABCDEFGHIJ"
    )
    text = f"""factory "scale" {{
    description "Ten thousand racks"
    currency "EUR"
}}

site "scale-1" {{
    tier 3
    power {{
        feed "grid-a" capacity=(GW)2
        feed "grid-b" capacity=(GW)2
        redundancy "2N"
        pue 1.2
        energy-price (EUR)0.1 per="kWh"
    }}
    cooling {{
        loop "tcs-1" supply=(C)35 {{
            cdu "cdu-2000kw" count=700 redundancy="N+1"
        }}
        air capacity=(MW)400
    }}
{halls}
}}

software {{
    os "ubuntu-24.04"
    driver "580.95"
    cuda "13.0"
    kubernetes "1.34"
    gpu-operator "25.10.0"
    serving "vllm" version="0.11.0"
}}

workload "w" {{
    model "llama-3.1-8b"
    precision "bf16"
    tokens input=2048 output=256
    gpus 8
}}
"""
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "factory.kdl"), "w", encoding="utf-8") as f:
        f.write(text)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "hostile":
        write_hostile(sys.argv[2])
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "scale":
        write_scale(sys.argv[2])
        return 0
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("schema")
    p.add_argument("folder")
    p.add_argument("--terraform", default="terraform")
    p.add_argument("--expect")
    a = p.parse_args()
    with open(a.schema, encoding="utf-8") as f:
        schema = json.load(f)
    expect = None
    if a.expect:
        with open(a.expect, encoding="utf-8") as f:
            expect = json.load(f)
    c = Checker(schema, a.folder)
    errors = c.run(a.terraform, expect)
    for e in errors[:40]:
        print(f"  error: {e}")
    if len(errors) > 40:
        print(f"  ... and {len(errors) - 40} more")
    if errors:
        print(f"  {len(errors)} problem(s) in {a.folder}")
        return 1
    print(f"  ok: {c.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
