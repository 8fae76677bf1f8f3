"""docker-compose.yml cannot run here (no Docker engine), so check it statically:
against the Compose specification's JSON schema, and for references that the
schema cannot see (dependencies, health conditions, files on disk)."""

import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE_GO = "github.com/compose-spec/compose-go/v2@v2.16.2"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def compose_schema(tmp_path_factory):
    # The Compose specification's schema ships in the compose-go module.
    result = subprocess.run(
        ["go", "mod", "download", "-json", COMPOSE_GO],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path_factory.mktemp("go"),
        env={**os.environ, "GOFLAGS": "-mod=mod"},
    )
    module_dir = Path(json.loads(result.stdout)["Dir"])
    return json.loads((module_dir / "schema" / "compose-spec.json").read_text())


def test_the_compose_file_follows_the_compose_specification(compose, compose_schema):
    jsonschema.validate(compose, compose_schema)


def test_every_dependency_names_a_service_that_can_satisfy_its_condition(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown service {dependency}"
            assert dependency != name, f"{name} depends on itself"
            if rule.get("condition") == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"


def test_long_running_services_have_healthchecks_and_data_has_volumes(compose):
    services = compose["services"]
    for name in ["postgres", "redis", "livekit", "web", "worker", "models"]:
        assert "healthcheck" in services[name], name
    for name, path in [("postgres", "/var/lib/postgresql/data"), ("redis", "/data")]:
        assert any(volume.endswith(":" + path) for volume in services[name]["volumes"])


def test_files_the_compose_file_refers_to_exist(compose):
    for service in compose["services"].values():
        build = service.get("build")
        if isinstance(build, dict):
            assert (BASE_DIR / build.get("context", ".") / build["dockerfile"]).exists()
        elif build:
            assert (BASE_DIR / build / "Dockerfile").exists()
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (BASE_DIR / source).exists(), source


# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}, ...
VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY(S)?$")
REQUIRED_SECRETS = {
    "SECRET_KEY",
    "SECRETS_ENCRYPTION_KEYS",
    "LIVEKIT_API_KEY",
    "LIVEKIT_API_SECRET",
    "POSTGRES_PASSWORD",
}
# Optional: the embedded model server takes no key unless one is set.
# Optional: recordings go to S3 only when a bucket is named (then the key is needed too).
OPTIONAL_SECRETS = {"LOCALMODELS_API_KEY", "RECORDING_S3_SECRET_ACCESS_KEY"}


def _strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, str):
        yield node


def _references(compose):
    for text in _strings(compose):
        yield from VARIABLE.finditer(text)


def test_no_secret_has_a_default_and_the_required_ones_must_be_set(compose):
    seen = set()
    for ref in _references(compose):
        name, op, arg = ref["name"], ref["op"] or "", ref["arg"]
        if not SECRET_NAME.search(name):
            continue
        seen.add(name)
        if name in OPTIONAL_SECRETS:
            assert op == ":-" and arg == "", f"{ref[0]}: an optional secret defaults to nothing"
        else:
            # `:?` also refuses an empty value, `?` alone would accept one.
            assert op == ":?" and arg.strip(), f"{ref[0]} must be `${{{name}:?message}}`"
    assert seen >= REQUIRED_SECRETS


def test_the_services_get_their_secrets_only_from_required_variables(compose):
    app = compose["services"]["web"]["environment"]
    for name in REQUIRED_SECRETS - {"POSTGRES_PASSWORD"}:
        assert VARIABLE.fullmatch(str(app[name]))["name"] == name, name
    for service_name, service in compose["services"].items():
        environment = service.get("environment") or {}
        for name, value in environment.items():
            if SECRET_NAME.search(name) and name != "LIVEKIT_KEYS":
                assert VARIABLE.fullmatch(str(value)), f"{service_name}: {name} is a literal"


def test_livekit_runs_without_its_development_keys(compose):
    livekit = compose["services"]["livekit"]
    assert "--dev" not in livekit["command"]
    keys = livekit["environment"]["LIVEKIT_KEYS"]
    assert [ref["name"] for ref in VARIABLE.finditer(keys)] == [
        "LIVEKIT_API_KEY",
        "LIVEKIT_API_SECRET",
    ]
    assert VARIABLE.sub("", keys).strip() == ":"
    livekit_config = yaml.safe_load((BASE_DIR / "deploy" / "livekit.yaml").read_text())
    assert "keys" not in livekit_config and "key_file" not in livekit_config
    assert not any("devkey" in text for text in _strings([compose, livekit_config]))
