#!/usr/bin/env python3
"""deploy/kubernetes/: every file parses as YAML (python3-yaml, else the
`yaml` package scripts/bootstrap-npm installs), and the pieces fit together: 3 replicas;
readiness and liveness ask /__admin/health through inspekt-healthcheck; the fixtures
are the ConfigMap the kustomization generates from every file of fixtures/default,
mounted where --fixtures points; the admin token comes from a Secret file, never argv;
resources are set; the Service selects the pods and names their port. The container's
command line is then given to the real inspekt-mock (paths swapped for local ones): it
must start.

usage: kubernetes_test.py SOURCE_DIR MOCK
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from packaging_support import Checks, clean_env  # noqa: E402

source, mock_bin = sys.argv[1:3]
folder = os.path.join(source, "deploy", "kubernetes")
checks = Checks()


def load_all(path):
    try:
        import yaml
        with open(path) as f:
            return [doc for doc in yaml.safe_load_all(f) if doc is not None]
    except ImportError:
        node_modules = os.path.join(source, "scripts", "npm", "node_modules")
        script = ("const YAML = require('yaml'); const fs = require('fs');"
                  "const docs = YAML.parseAllDocuments(fs.readFileSync(process.argv[1], 'utf8'));"
                  "for (const d of docs) if (d.errors.length) { console.error(d.errors[0].message); process.exit(1); }"
                  "console.log(JSON.stringify(docs.map(d => d.toJSON()).filter(d => d !== null)));")
        done = subprocess.run(["node", "-e", script, path], capture_output=True, text=True,
                              env={**clean_env, "NODE_PATH": node_modules})
        if done.returncode != 0:
            raise ValueError(done.stderr.strip())
        return json.loads(done.stdout)


documents = {}
for path in sorted(glob.glob(os.path.join(folder, "*.yaml"))):
    try:
        documents[os.path.basename(path)] = load_all(path)
        checks.check(True, f"{os.path.basename(path)} parses")
    except Exception as error:  # a YAML error of either parser
        checks.check(False, f"{os.path.basename(path)} parses: {error}")
by_kind = {doc.get("kind"): doc for docs in documents.values() for doc in docs}
deployment, service = by_kind.get("Deployment", {}), by_kind.get("Service", {})
kustomization = by_kind.get("Kustomization", {})
if not (deployment and service and kustomization):
    checks.check(False, f"a Deployment, a Service and a Kustomization ({sorted(by_kind)})")
    checks.finish()

checks.check(deployment["spec"]["replicas"] == 3, "the Deployment runs 3 replicas")
pod = deployment["spec"]["template"]
container = pod["spec"]["containers"][0]
args = container.get("command", []) + container.get("args", [])
for probe in ("readinessProbe", "livenessProbe"):
    command = container.get(probe, {}).get("exec", {}).get("command", [])
    checks.check(command[:1] == ["inspekt-healthcheck"], f"{probe} runs inspekt-healthcheck "
                 "(GET /__admin/health with the token)")
checks.check("--host" in args and args[args.index("--host") + 1] == "0.0.0.0", "--host 0.0.0.0")
checks.check(all(not a.startswith("--admin-token") or a == "--admin-token-file" for a in args),
             "no admin token on the command line")
mounts = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
volumes = {v["name"]: v for v in pod["spec"].get("volumes", [])}
fixtures_dir = args[args.index("--fixtures") + 1] if "--fixtures" in args else None
fixture_volume = next((n for n, p in mounts.items() if p == fixtures_dir), None)
generated = [g["name"] for g in kustomization.get("configMapGenerator", [])]
checks.check(fixture_volume is not None and
             volumes[fixture_volume].get("configMap", {}).get("name") in generated,
             f"--fixtures {fixtures_dir} is the generated ConfigMap, mounted")
listed = sorted(os.path.realpath(os.path.join(folder, f))
                for g in kustomization.get("configMapGenerator", []) for f in g.get("files", []))
present = sorted(os.path.realpath(p) for p in
                 glob.glob(os.path.join(source, "fixtures", "default", "*.json")))
checks.check(listed == present, "the ConfigMap holds every file of fixtures/default "
             f"({[os.path.basename(p) for p in listed]})")
token_file = args[args.index("--admin-token-file") + 1] if "--admin-token-file" in args else ""
token_volume = next((n for n, p in mounts.items() if token_file.startswith(p + "/")), None)
checks.check(token_volume is not None and "secret" in volumes[token_volume],
             f"--admin-token-file {token_file} is a mounted Secret")
env = {e["name"]: e for e in container.get("env", [])}
checks.check(env.get("INSPEKT_INSTANCE", {}).get("valueFrom", {}).get("fieldRef", {})
             .get("fieldPath") == "metadata.name", "INSPEKT_INSTANCE is the pod's name")
resources = container.get("resources", {})
checks.check(all(k in resources.get(w, {}) for w in ("requests", "limits") for k in ("cpu", "memory")),
             "cpu and memory requests and limits are set")
labels = pod["metadata"]["labels"]
checks.check(all(labels.get(k) == v for k, v in service["spec"]["selector"].items()),
             "the Service selects the pods")
port_names = {p.get("name") for p in container.get("ports", [])}
checks.check(all(p["targetPort"] in port_names for p in service["spec"]["ports"]),
             "the Service's targetPort is the container's port")
for resource in kustomization.get("resources", []):
    checks.check(os.path.isfile(os.path.join(folder, resource)), f"kustomization: {resource} exists")

# The real program accepts the container's command line.
help_text = subprocess.run([mock_bin, "--help"], capture_output=True, text=True).stdout
with tempfile.TemporaryDirectory(prefix="inspekt-k8s-") as tmp:
    token_path = os.path.join(tmp, "admin-token")
    with open(token_path, "w") as f:
        f.write("k8s-test-token\n")
    local = {"--fixtures": os.path.join(source, "fixtures", "default"),
             "--admin-token-file": token_path, "--host": "127.0.0.1", "--port": "0"}
    if "--admin-token-file" not in help_text:
        print("skip --admin-token-file: this inspekt-mock has no admin API yet")
        local.pop("--admin-token-file")
    line = [mock_bin]
    words = args[1:] if args[:1] == ["inspekt-mock"] else args
    i = 0
    while i < len(words):
        flag = words[i]
        if flag in ("--admin-token-file",) and flag not in local:
            i += 2
            continue
        line.append(flag)
        if flag in local and i + 1 < len(words):
            line.append(local[flag])
            i += 2
            continue
        i += 1
    proc = subprocess.Popen(line + ["--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**clean_env, "INSPEKT_INSTANCE": "inspekt-mock-abc12"})
    try:
        ready = proc.stdout.readline()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    checks.check(ready.startswith("listening on http://127.0.0.1:"),
                 f"inspekt-mock starts with the container's arguments: {ready.strip()!r} {err.strip()}")
checks.finish()
