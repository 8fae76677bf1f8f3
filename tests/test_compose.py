"""docker-compose.yml cannot run here (no Docker engine), so check it statically:
against the Compose specification's JSON schema, and for references that the
schema cannot see (dependencies, health conditions, files on disk)."""

import json
import os
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
