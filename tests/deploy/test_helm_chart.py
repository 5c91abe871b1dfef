"""The Helm chart (deploy/helm/chinwag) rendered by the real `helm template` (helm 4, from the npm
package pinned in deploy/helm/tools), validated against the Kubernetes JSON schemas
(kubernetes-validate, strict: no unknown fields), and checked against the size presets file, the
sizing model it states and the table in docs/kubernetes.md."""

from __future__ import annotations

import importlib.util
import math
import re
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("chinwag_render", ROOT / "deploy" / "helm" / "render.py")
assert _spec is not None and _spec.loader is not None
render = importlib.util.module_from_spec(_spec)
sys.modules["chinwag_render"] = render
_spec.loader.exec_module(render)

PRESETS: dict[str, Any] = render.presets()["presets"]
BASIS: dict[str, Any] = render.presets()["basis"]
EXAMPLE = ROOT / "deploy" / "kubernetes" / "values.yaml"
SEED = render.CHART / "values-seed.yaml"
#: the chart's oldest supported Kubernetes (Chart.yaml kubeVersion) and the newest helm knows
KUBE_VERSIONS = ("1.27.0", "1.35.0")


@cache
def rendered(values: tuple[Path, ...], sets: tuple[tuple[str, str], ...] = ()) -> list[dict[str, Any]]:
    text = render.template(list(values), dict(sets))
    return [d for d in yaml.safe_load_all(text) if d]


def one(docs: list[dict[str, Any]], kind: str, name: Callable[[str], bool] = lambda n: True) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and name(d["metadata"]["name"])]
    assert len(found) == 1, f"{kind}: {[d['metadata']['name'] for d in found]}"
    return found[0]


def server(docs: list[dict[str, Any]]) -> dict[str, Any]:
    container: dict[str, Any] = one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    return container


def env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def validate_all(docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        if doc["apiVersion"].startswith("monitoring.coreos.com/"):
            continue  # a CRD kind: checked by test_service_monitor
        for version in KUBE_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as e:
                pytest.fail(f"{doc['kind']} {doc['metadata']['name']} (Kubernetes {version}): {e.message}")


@pytest.mark.parametrize("size", list(PRESETS))
def test_every_preset_renders_valid_manifests(size: str) -> None:
    docs = rendered((EXAMPLE,), (("size", size),))
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == sorted(["Deployment", "Service", "Service", "StatefulSet", "HorizontalPodAutoscaler",
                            "PodDisruptionBudget", "Ingress", "Job", "NetworkPolicy", "NetworkPolicy",
                            "ServiceAccount"])
    validate_all(docs)


@pytest.mark.parametrize("size", list(PRESETS))
def test_preset_sets_replicas_resources_and_pool(size: str) -> None:
    p = PRESETS[size]
    docs = rendered((EXAMPLE,), (("size", size),))
    c = server(docs)
    assert c["resources"] == {"requests": p["requests"], "limits": p["limits"]}
    hpa = one(docs, "HorizontalPodAutoscaler")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (p["replicas"], p["maxReplicas"])
    e = env(c)
    assert e["MM_SQLSETTINGS_MAXOPENCONNS"] == str(p["maxOpenConns"])
    assert e["MM_SQLSETTINGS_MAXIDLECONNS"] == str(p["maxIdleConns"])
    assert one(docs, "Deployment")["metadata"]["labels"]["chinwag.io/size"] == size
    # without the autoscaler the Deployment carries the preset's count itself
    fixed = rendered((EXAMPLE,), (("size", size), ("autoscaling.enabled", "false")))
    assert one(fixed, "Deployment")["spec"]["replicas"] == p["replicas"]
    assert not [d for d in fixed if d["kind"] == "HorizontalPodAutoscaler"]


def _mib(q: str) -> float:
    return float(q[:-2]) * (1024 if q.endswith("Gi") else 1)


def _cores(q: str) -> float:
    return float(q[:-1]) / 1000 if q.endswith("m") else float(q)


@pytest.mark.parametrize("size", list(PRESETS))
def test_preset_follows_the_sizing_model(size: str) -> None:
    """The arithmetic of docs/kubernetes.md, from the measured figures in presets.yaml's basis."""
    p, b = PRESETS[size], BASIS
    users = p["users"]
    assert size == f"{users}users"
    cpu_ms_per_user = (b["requests_per_user_per_s"] * b["cpu_ms_per_request"]
                       + b["posts_per_user_per_s"] * b["online_recipients_per_post"]
                       * b["cpu_ms_per_delivered_event"])
    cores = round(users * cpu_ms_per_user / 1000, 6)
    spare = 1 if users >= 1000 else 0  # N+1 from 1,000 users up: a pod may be missing at peak
    assert p["replicas"] == math.ceil(round(cores / b["target_core_share"], 6)) + spare
    assert p["maxReplicas"] == 2 * p["replicas"]
    assert _cores(p["requests"]["cpu"]) >= max(0.1, round(cores / p["replicas"], 6))
    sockets_per_pod = users / max(1, p["replicas"] - spare)
    memory = (b["base_memory_mib"] + sockets_per_pod * b["kib_per_websocket"] / 1024
              + users * b["kib_per_user_cached"] / 1024)
    assert memory <= _mib(p["requests"]["memory"]) < memory + 128
    assert _mib(p["limits"]["memory"]) >= 2 * _mib(p["requests"]["memory"])
    assert _cores(p["limits"]["cpu"]) >= 1


def test_docs_table_is_the_presets_file() -> None:
    text = render.DOCS.read_text()
    assert render.docs_with_table(text) == text, "run python deploy/helm/render.py"
    for name, p in PRESETS.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
        assert f"{p['replicas']} ({p['maxReplicas']})" in row
        assert f"{p['requests']['memory']} / {p['limits']['memory']}" in row


def test_committed_manifests_are_what_the_chart_renders() -> None:
    for path, text in render.manifests().items():
        assert path.exists() and path.read_text() == text, \
            f"{path.relative_to(ROOT)} is stale: run python deploy/helm/render.py"
    for path in render.OUT.glob("chinwag-*.yaml"):
        validate_all([d for d in yaml.safe_load_all(path.read_text()) if d])


def test_probes_shutdown_and_security() -> None:
    docs = rendered((EXAMPLE,))
    pod = one(docs, "Deployment")["spec"]["template"]["spec"]
    c = server(docs)
    assert c["readinessProbe"]["httpGet"]["path"] == "/api/v4/system/ping?get_server_status=true"
    assert c["livenessProbe"]["httpGet"]["path"] == "/api/v4/system/ping"
    assert c["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", "10"]
    # the grace period covers the preStop sleep plus chinwag's own drain (5 s for requests in
    # flight, then the WebSocket checkpoints and the event stream's last writes)
    assert pod["terminationGracePeriodSeconds"] >= 10 + 15
    assert pod["securityContext"]["runAsUser"] == 2000 and pod["securityContext"]["runAsGroup"] == 2000
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"] for m in c["volumeMounts"]}
    assert mounts == {"/chinwag/config", "/chinwag/data", "/chinwag/logs", "/tmp"}
    strategy = one(docs, "Deployment")["spec"]["strategy"]["rollingUpdate"]
    assert (strategy["maxUnavailable"], strategy["maxSurge"]) == (0, 1)
    assert one(docs, "PodDisruptionBudget")["spec"]["maxUnavailable"] == 1
    e = env(c)
    assert e["MM_REDISSETTINGS_URL"] == "redis://chinwag-redis:6379/0"
    assert e["MM_CLUSTERSETTINGS_CLUSTERNAME"] == "chinwag"
    assert e["MM_SERVICESETTINGS_SITEURL"] == "https://chat.example.com"


def test_migration_job_is_a_pre_upgrade_hook() -> None:
    docs = rendered((EXAMPLE,))
    job = one(docs, "Job")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    c = job["spec"]["template"]["spec"]["containers"][0]
    assert c["args"] == ["db", "migrate"]
    assert env(c)["MM_SQLSETTINGS_DATASOURCE"] == {
        "secretKeyRef": {"name": "chinwag-database", "key": "MM_SQLSETTINGS_DATASOURCE"}}
    # a DSN given as a value: the Job reads its own hook Secret, made before it
    docs = rendered((), (("database.dataSource", "postgres://u:p@db:5432/chat"),
                         ("fileStore.s3.bucket", "files")))
    hook_secret = one(docs, "Secret", lambda n: n.endswith("-migrate"))
    assert hook_secret["metadata"]["annotations"]["helm.sh/hook-weight"] == "-10"
    assert hook_secret["stringData"] == {"MM_SQLSETTINGS_DATASOURCE": "postgres://u:p@db:5432/chat"}
    job_env = env(one(docs, "Job")["spec"]["template"]["spec"]["containers"][0])
    assert job_env["MM_SQLSETTINGS_DATASOURCE"]["secretKeyRef"]["name"] == "chinwag-migrate"
    assert env(server(docs))["MM_SQLSETTINGS_DATASOURCE"]["secretKeyRef"]["name"] == "chinwag-database"
    validate_all(docs)


def test_seed_values_mysql_and_yandex_s3() -> None:
    docs = rendered((SEED,))
    validate_all(docs)
    e = env(server(docs))
    assert e["MM_SQLSETTINGS_DRIVERNAME"] == "mysql"
    assert e["MM_SQLSETTINGS_DATASOURCE"] == {
        "secretKeyRef": {"name": "chinwag-mysql", "key": "MM_SQLSETTINGS_DATASOURCE"}}
    assert e["MM_FILESETTINGS_DRIVERNAME"] == "amazons3"
    assert e["MM_FILESETTINGS_AMAZONS3ENDPOINT"] == "storage.yandexcloud.net"
    assert e["MM_FILESETTINGS_AMAZONS3REGION"] == "ru-central1"
    assert e["MM_FILESETTINGS_AMAZONS3ACCESSKEYID"]["secretKeyRef"]["name"] == "chinwag-s3"
    assert "tcp(" in SEED.read_text()  # the DSN in Mattermost's MySQL form, as the docs show it


def test_external_redis_s3_keys_from_values_and_mm_env() -> None:
    docs = rendered((EXAMPLE,), (("redis.bundled", "false"), ("redis.existingSecret", "bus"),
                                 ("fileStore.s3.existingSecret", ""),
                                 ("fileStore.s3.accessKeyId", "AK"), ("fileStore.s3.secretAccessKey", "SK"),
                                 ("env.MM_TEAMSETTINGS_SITENAME", "Acme"),
                                 ("envFrom[0].secretRef.name", "smtp")))
    validate_all(docs)
    assert not [d for d in docs if d["kind"] == "StatefulSet"]
    assert len([d for d in docs if d["kind"] == "NetworkPolicy"]) == 1
    c = server(docs)
    e = env(c)
    assert e["MM_REDISSETTINGS_URL"] == {"secretKeyRef": {"name": "bus", "key": "MM_REDISSETTINGS_URL"}}
    assert e["MM_TEAMSETTINGS_SITENAME"] == "Acme"
    assert c["envFrom"] == [{"secretRef": {"name": "smtp"}}]
    s3 = one(docs, "Secret", lambda n: n == "chinwag-s3")
    assert s3["stringData"] == {"MM_FILESETTINGS_AMAZONS3ACCESSKEYID": "AK",
                                "MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY": "SK"}


def test_local_file_store_and_overrides() -> None:
    docs = rendered((EXAMPLE,), (("fileStore.kind", "local"), ("fileStore.local.existingClaim", "files"),
                                 ("replicas", "3"), ("resources.requests.cpu", "1"),
                                 ("database.maxOpenConns", "8")))
    validate_all(docs)
    pod = one(docs, "Deployment")["spec"]["template"]["spec"]
    data = next(v for v in pod["volumes"] if v["name"] == "data")
    assert data == {"name": "data", "persistentVolumeClaim": {"claimName": "files"}}
    e = env(server(docs))
    assert e["MM_FILESETTINGS_DRIVERNAME"] == "local"
    assert e["MM_FILESETTINGS_DIRECTORY"] == "/chinwag/data/files"
    assert e["MM_SQLSETTINGS_MAXOPENCONNS"] == "8"
    assert server(docs)["resources"] == {"requests": {"cpu": 1}}
    assert one(docs, "HorizontalPodAutoscaler")["spec"]["minReplicas"] == 3


def test_service_monitor_and_network_policy_sources() -> None:
    docs = rendered((EXAMPLE,), (("metrics.serviceMonitor.enabled", "true"),
                                 ("networkPolicy.ingressFrom[0].namespaceSelector.matchLabels.team", "edge")))
    validate_all(docs)
    sm = one(docs, "ServiceMonitor")
    assert sm["apiVersion"] == "monitoring.coreos.com/v1"
    assert sm["spec"]["endpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "30s"}]
    svc = one(docs, "Service", lambda n: n == "chinwag")
    assert sm["spec"]["selector"]["matchLabels"].items() <= svc["spec"]["selector"].items()
    assert {"name": "metrics", "port": 8067, "targetPort": "metrics", "protocol": "TCP"} in svc["spec"]["ports"]
    assert env(server(docs))["MM_METRICSSETTINGS_LISTENADDRESS"] == ":8067"
    np = one(docs, "NetworkPolicy", lambda n: n == "chinwag")
    assert np["spec"]["ingress"][0]["from"] == [{"namespaceSelector": {"matchLabels": {"team": "edge"}}}]


def test_ingress_websocket_and_tls() -> None:
    ing = one(rendered((EXAMPLE,)), "Ingress")
    assert ing["spec"]["tls"] == [{"hosts": ["chat.example.com"], "secretName": "chinwag-tls"}]
    ann = ing["metadata"]["annotations"]
    assert int(ann["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600  # idle WebSockets stay open
    path = ing["spec"]["rules"][0]["http"]["paths"][0]
    assert path["path"] == "/" and path["backend"]["service"]["port"]["name"] == "http"


@pytest.mark.parametrize(("sets", "message"), [
    ((("size", "50users"),), 'size "50users" is not a preset'),
    ((("database.kind", "oracle"),), "database.kind must be postgres or mysql"),
    ((("database.existingSecret", ""),), "set database.dataSource or database.existingSecret"),
    ((("fileStore.kind", "local"),), "needs fileStore.local.existingClaim"),
    ((("redis.bundled", "false"),), "set redis.url or redis.existingSecret"),
])
def test_bad_values_fail_with_a_message(sets: tuple[tuple[str, str], ...], message: str) -> None:
    with pytest.raises(RuntimeError, match=re.escape(message)):
        render.template([EXAMPLE], dict(sets))


def test_helm_lint() -> None:
    r = subprocess.run([render.helm(), "lint", "--strict", str(render.CHART), "-f", str(EXAMPLE)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
