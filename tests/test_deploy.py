"""The deployment files in deploy/: the Slack app manifests match `wolfpack manifest` and what
Slack accepts, and the Dockerfile, compose file and Kubernetes manifests keep their promises
(non-root, health checks on /healthz and /livez, resources, PostgreSQL health before the bot
starts)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.slack.manifest import manifest_yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"
PROD_URL = "https://wolfpack.example.com"

MANIFESTS = {
    "manifest.dev.yaml": ["--socket"],
    "manifest.prod.yaml": ["--url", PROD_URL],
}

# The parts of Slack's app manifest schema Wolfpack relies on, with Slack's documented limits.
SLACK_MANIFEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["display_information", "features", "oauth_config", "settings"],
    "properties": {
        "display_information": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 35},
                "description": {"type": "string", "maxLength": 140},
                "long_description": {"type": "string", "minLength": 175, "maxLength": 4000},
                "background_color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
            },
        },
        "features": {
            "type": "object",
            "required": ["bot_user"],
            "properties": {
                "bot_user": {
                    "type": "object",
                    "required": ["display_name"],
                    "properties": {
                        "display_name": {"type": "string", "minLength": 1, "maxLength": 80},
                        "always_online": {"type": "boolean"},
                    },
                },
                "slash_commands": {
                    "type": "array",
                    "maxItems": 50,
                    "items": {
                        "type": "object",
                        "required": ["command", "description"],
                        "properties": {
                            "command": {"type": "string", "pattern": "^/", "maxLength": 32},
                            "description": {"type": "string", "minLength": 1, "maxLength": 2000},
                            "usage_hint": {"type": "string", "maxLength": 1000},
                            "should_escape": {"type": "boolean"},
                            "url": {"type": "string", "pattern": "^https://"},
                        },
                        "additionalProperties": False,
                    },
                },
            },
        },
        "oauth_config": {
            "type": "object",
            "required": ["scopes"],
            "properties": {
                "scopes": {
                    "type": "object",
                    "required": ["bot"],
                    "properties": {
                        "bot": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 255,
                            "uniqueItems": True,
                            "items": {
                                "type": "string",
                                "pattern": "^[a-z]+(\\.[a-z]+)*(:[a-z.]+)*$",
                            },
                        },
                    },
                },
                "redirect_urls": {
                    "type": "array",
                    "maxItems": 1000,
                    "items": {"type": "string", "pattern": "^https://"},
                },
            },
        },
        "settings": {
            "type": "object",
            "required": ["event_subscriptions"],
            "properties": {
                "event_subscriptions": {
                    "type": "object",
                    "required": ["bot_events"],
                    "properties": {
                        "request_url": {"type": "string", "pattern": "^https://"},
                        "bot_events": {
                            "type": "array",
                            "maxItems": 100,
                            "uniqueItems": True,
                            "items": {"type": "string", "pattern": "^[a-z_]+(\\.[a-z_]+)?$"},
                        },
                    },
                },
                "interactivity": {
                    "type": "object",
                    "required": ["is_enabled"],
                    "properties": {
                        "is_enabled": {"type": "boolean"},
                        "request_url": {"type": "string", "pattern": "^https://"},
                        "message_menu_options_url": {"type": "string", "pattern": "^https://"},
                    },
                },
                "socket_mode_enabled": {"type": "boolean"},
                "org_deploy_enabled": {"type": "boolean"},
                "token_rotation_enabled": {"type": "boolean"},
            },
        },
    },
}


def _schema_errors(document: Any) -> list[str]:
    """Violations of SLACK_MANIFEST_SCHEMA: jsonschema when installed, else the key rules."""
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - jsonschema comes with kubernetes-validate
        return _plain_schema_errors(document)
    validator = jsonschema.Draft202012Validator(SLACK_MANIFEST_SCHEMA)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def _plain_schema_errors(document: Any) -> list[str]:
    errors = []
    name = document.get("display_information", {}).get("name", "")
    if not 1 <= len(name) <= 35:
        errors.append("display_information.name")
    bot_user = document.get("features", {}).get("bot_user", {})
    if not 1 <= len(bot_user.get("display_name", "")) <= 80:
        errors.append("features.bot_user.display_name")
    for command in document.get("features", {}).get("slash_commands", []):
        if not command["command"].startswith("/") or len(command["command"]) > 32:
            errors.append(f"command {command['command']}")
        if len(command.get("description", "")) > 2000 or len(command.get("usage_hint", "")) > 1000:
            errors.append(f"command {command['command']} text")
    bot_scopes = document.get("oauth_config", {}).get("scopes", {}).get("bot")
    if not isinstance(bot_scopes, list) or not all(isinstance(s, str) for s in bot_scopes):
        errors.append("oauth_config.scopes.bot")
    events = document.get("settings", {}).get("event_subscriptions", {}).get("bot_events")
    if not isinstance(events, list):
        errors.append("settings.event_subscriptions.bot_events")
    return errors


def _load(name: str) -> Any:
    return yaml.safe_load((DEPLOY / "slack" / name).read_text(encoding="utf-8"))


def _walk(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every (dotted key path, value) pair in a nested document."""
    pairs: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            pairs.append((f"{path}.{key}".lstrip("."), value))
            pairs.extend(_walk(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            pairs.extend(_walk(value, f"{path}[{index}]"))
    return pairs


# --- Slack app manifests ---


@pytest.mark.parametrize(("name", "args"), MANIFESTS.items())
def test_slack_manifest_file_is_the_command_output(name: str, args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "manifest", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    on_disk = (DEPLOY / "slack" / name).read_text(encoding="utf-8")
    assert on_disk == result.stdout, (
        f"deploy/slack/{name} drifted: regenerate it with `wolfpack manifest {' '.join(args)}`"
    )


def test_slack_manifest_files_match_manifest_yaml() -> None:
    assert _load("manifest.dev.yaml") == yaml.safe_load(manifest_yaml(socket=True))
    assert _load("manifest.prod.yaml") == yaml.safe_load(manifest_yaml(PROD_URL))


def test_prod_manifest_sends_everything_to_https_urls() -> None:
    prod = _load("manifest.prod.yaml")
    events_url = f"{PROD_URL}/slack/events"
    assert prod["settings"]["socket_mode_enabled"] is False
    assert prod["settings"]["event_subscriptions"]["request_url"] == events_url
    assert prod["settings"]["interactivity"]["request_url"] == events_url
    assert prod["settings"]["interactivity"]["message_menu_options_url"] == events_url
    assert prod["oauth_config"]["redirect_urls"] == [f"{PROD_URL}/slack/oauth_redirect"]
    commands = prod["features"]["slash_commands"]
    assert commands
    assert all(command["url"] == events_url for command in commands)
    urls = [value for key, value in _walk(prod) if key.endswith(("url", "_url"))]
    urls += [url for key, value in _walk(prod) if key.endswith("_urls") for url in value]
    assert len(urls) == len(commands) + 4
    assert all(url.startswith(PROD_URL + "/slack/") for url in urls)


def test_dev_manifest_is_socket_mode_without_urls() -> None:
    dev = _load("manifest.dev.yaml")
    assert dev["settings"]["socket_mode_enabled"] is True
    url_keys = [key for key, _ in _walk(dev) if "url" in key.rsplit(".", 1)[-1]]
    assert url_keys == []
    text = (DEPLOY / "slack" / "manifest.dev.yaml").read_text(encoding="utf-8")
    assert "http" not in text


def test_dev_and_prod_manifests_ask_for_the_same_app() -> None:
    dev, prod = _load("manifest.dev.yaml"), _load("manifest.prod.yaml")
    assert dev["oauth_config"]["scopes"] == prod["oauth_config"]["scopes"]
    assert (
        dev["settings"]["event_subscriptions"]["bot_events"]
        == prod["settings"]["event_subscriptions"]["bot_events"]
    )
    assert [c["command"] for c in dev["features"]["slash_commands"]] == [
        c["command"] for c in prod["features"]["slash_commands"]
    ]


@pytest.mark.parametrize("name", MANIFESTS)
def test_slack_manifest_has_the_structure_slack_requires(name: str) -> None:
    assert _schema_errors(_load(name)) == []


def test_manifest_schema_rejects_what_slack_rejects() -> None:
    good = _load("manifest.prod.yaml")
    broken = yaml.safe_load(yaml.safe_dump(good))
    broken["display_information"]["name"] = "W" * 36
    broken["features"]["bot_user"]["display_name"] = "W" * 81
    broken["features"]["slash_commands"][0]["command"] = "checkin"
    broken["features"]["slash_commands"][1]["command"] = "/" + "d" * 32
    broken["features"]["slash_commands"][2]["description"] = "x" * 2001
    broken["features"]["slash_commands"][3]["usage_hint"] = "x" * 1001
    broken["oauth_config"]["scopes"]["bot"] = "chat:write"
    broken["settings"]["event_subscriptions"]["bot_events"] = {"app_home_opened": True}
    errors = _schema_errors(broken)
    assert len(errors) >= 8, errors
    assert len(_plain_schema_errors(broken)) >= 8
    assert _plain_schema_errors(good) == []


# --- Kubernetes ---


def _k8s_documents() -> dict[str, list[dict[str, Any]]]:
    return {
        path.name: [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
        for path in sorted(K8S.glob("*.yaml"))
    }


def _one(kind: str, file: str | None = None) -> dict[str, Any]:
    found = [
        doc
        for name, docs in _k8s_documents().items()
        if name != "secret.example.yaml" or kind == "Secret"
        for doc in docs
        if doc.get("kind") == kind and (file is None or name == file)
    ]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def _containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    pod = workload["spec"]["template"]["spec"]
    return [*pod.get("initContainers", []), *pod["containers"]]


def _port_number(container: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    named = {p["name"]: p["containerPort"] for p in container.get("ports", []) if "name" in p}
    assert port in named, f"port {port!r} is not a named port of {container['name']}"
    return int(named[port])


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    resources = kustomization["resources"]
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert sorted(resources) == sorted(on_disk)
    assert "secret.example.yaml" not in resources
    assert all((K8S / name).is_file() for name in resources)
    for docs in _k8s_documents().values():
        for doc in docs:
            assert "namespace" not in doc.get("metadata", {}), "manifests are namespace-agnostic"


def test_deployment_probes_readiness_on_healthz_and_liveness_on_livez() -> None:
    """Readiness follows the database and Slack; liveness only the process, so an outage of
    either does not restart pods."""
    deployment = _one("Deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    ports = [p["containerPort"] for p in container["ports"]]
    assert ports == [3000]
    paths = {"readinessProbe": "/healthz", "livenessProbe": "/livez", "startupProbe": "/livez"}
    for probe, path in paths.items():
        get = container[probe]["httpGet"]
        assert get["path"] == path, probe
        assert _port_number(container, get["port"]) == 3000, probe
    args = container.get("args", [])
    assert args[:2] == ["run", "--http"]
    if "--port" in args:
        assert args[args.index("--port") + 1] == "3000"


def test_deployment_replicas_and_graceful_shutdown() -> None:
    deployment = _one("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] == 3
    assert pod["terminationGracePeriodSeconds"] == 30
    (container,) = pod["containers"]
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    pre_stop = int(command[1])
    assert 1 <= pre_stop <= 15
    # preStop, then SIGTERM with up to 10 s to stop, must fit in the grace period.
    assert pre_stop + 10 < pod["terminationGracePeriodSeconds"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_workloads_run_as_non_root_with_resources(kind: str) -> None:
    workload = _one(kind)
    pod = workload["spec"]["template"]["spec"]
    pod_security = pod.get("securityContext", {})
    for container in _containers(workload):
        security = {**pod_security, **container.get("securityContext", {})}
        assert security.get("runAsNonRoot") is True, container["name"]
        assert security.get("runAsUser", 0) != 0, container["name"]
        assert security.get("allowPrivilegeEscalation") is False, container["name"]
        assert security.get("readOnlyRootFilesystem") is True, container["name"]
        assert "ALL" in security.get("capabilities", {}).get("drop", []), container["name"]
        resources = container.get("resources", {})
        for section in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources.get(section, {})), (
                f"{kind} container {container['name']} lacks {section}"
            )
        # A read-only root needs a writable /tmp (matplotlib's cache, tempfiles).
        mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
        assert "/tmp" in mounts


def test_deployment_and_job_share_image_and_secret() -> None:
    deployment, job = _one("Deployment"), _one("Job")
    secret = _one("Secret", "secret.example.yaml")
    (app,) = deployment["spec"]["template"]["spec"]["containers"]
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    assert app["image"] == migrate["image"]
    assert migrate["args"] == ["db", "upgrade"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] in ("Never", "OnFailure")
    for container in (app, migrate):
        refs = [e["secretRef"]["name"] for e in container["envFrom"] if "secretRef" in e]
        assert refs == [secret["metadata"]["name"]]


def test_secret_example_holds_placeholders_only() -> None:
    secret = _one("Secret", "secret.example.yaml")
    data = secret["stringData"]
    assert {"SLACK_SIGNING_SECRET", "DATABASE_URL", "WOLFPACK_ENCRYPTION_KEY"} <= set(data)
    for key, value in data.items():
        if re.search("TOKEN|SECRET|KEY|DATABASE_URL", key):
            assert "REPLACE-ME" in value, key
    assert data["DATABASE_URL"].startswith("postgresql://")


def test_service_routes_port_80_to_the_container_port() -> None:
    deployment, service = _one("Deployment"), _one("Service")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    (port,) = service["spec"]["ports"]
    assert port["port"] == 80
    assert _port_number(container, port["targetPort"]) == 3000
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()


def test_ingress_exposes_only_slack_and_the_map_page_over_tls() -> None:
    ingress, service = _one("Ingress"), _one("Service")
    hosts = [host for tls in ingress["spec"]["tls"] for host in tls["hosts"]]
    assert hosts == ["wolfpack.example.com"]
    paths = [p for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert [(p["path"], p["pathType"]) for p in paths] == [("/slack", "Prefix"), ("/map", "Exact")]
    (container,) = _one("Deployment")["spec"]["template"]["spec"]["containers"]
    public = {e["name"]: e.get("value") for e in container["env"]}["WOLFPACK_PUBLIC_URL"]
    assert public == "https://wolfpack.example.com"
    for path in paths:
        backend = path["backend"]["service"]
        assert backend["name"] == service["metadata"]["name"]
        service_ports = {p.get("name") for p in service["spec"]["ports"]} | {
            p["port"] for p in service["spec"]["ports"]
        }
        assert backend["port"].get("name", backend["port"].get("number")) in service_ports
    assert all(rule["host"] == "wolfpack.example.com" for rule in ingress["spec"]["rules"])


def test_pod_disruption_budget_keeps_a_replica() -> None:
    pdb, deployment = _one("PodDisruptionBudget"), _one("Deployment")
    spec = pdb["spec"]
    assert spec.get("minAvailable", 0) >= 1 or spec.get("maxUnavailable") == 1
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()


# --- Dockerfile, compose ---


def _dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile as stages of (INSTRUCTION, arguments), continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    logical: list[str] = []
    current = ""
    for line in text.splitlines():
        if line.strip().startswith("#") or not line.strip():
            continue
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        logical.append(current.strip())
        current = ""
    stages: list[list[tuple[str, str]]] = [[]]
    for instruction in logical:
        keyword, _, rest = instruction.partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append((keyword.upper(), rest.strip()))
    return stages


def test_dockerfile_final_stage_is_slim_non_root_and_checks_health() -> None:
    preamble, *stages = _dockerfile_stages()
    assert len(stages) >= 2, "multi-stage build"
    args = dict(
        rest.split("=", 1) for keyword, rest in preamble if keyword == "ARG" and "=" in rest
    )
    final = stages[-1]
    base = final[0][1].split()[0]
    base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], base)
    assert base == "python:3.11-slim"
    users = [rest for keyword, rest in final if keyword == "USER"]
    assert users, "the final stage sets USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    healthchecks = [rest for keyword, rest in final if keyword == "HEALTHCHECK"]
    assert len(healthchecks) == 1
    assert "/healthz" in healthchecks[0] and "urllib" in healthchecks[0]
    assert "curl" not in healthchecks[0]
    instructions = dict(final)
    assert instructions["EXPOSE"] == "3000"
    assert instructions["ENTRYPOINT"] == '["wolfpack"]'
    assert instructions["CMD"] == '["run", "--http", "--host", "0.0.0.0"]'
    assert any(k == "COPY" and rest.startswith("--from=") for k, rest in final)
    runs = " ".join(rest for keyword, rest in final if keyword == "RUN")
    for tool in ("build-essential", "gcc", "apt-get install", "pip install"):
        assert tool not in runs, f"{tool} in the final stage"


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "an allow-list: everything is excluded unless named"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert {"pyproject.toml", "README.md", "bot"} <= allowed
    assert not allowed & {".env", ".venv", ".git", "tests", "wolfpack.db"}


def test_compose_waits_for_a_healthy_postgres() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:16"
    test = postgres["healthcheck"]["test"]
    assert "pg_isready" in (test if isinstance(test, str) else " ".join(test))
    bot = services["bot"]
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in bot["environment"]["DATABASE_URL"]
    env_files = bot["env_file"] if isinstance(bot["env_file"], list) else [bot["env_file"]]
    assert any(str(f).endswith(".env") for f in env_files)
    assert bot["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).resolve() == (
        DEPLOY / "Dockerfile"
    ).resolve()
    if "migrate" in services:
        assert services["migrate"]["command"] == ["db", "upgrade"]
        assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
