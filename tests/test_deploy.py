"""The example Dagster instances for a cluster (deploy/, docs/cluster.md)."""

from __future__ import annotations

import pytest
import yaml
from dagster._config import Shape, validate_config
from dagster._core.instance.config import dagster_instance_config_schema

from orchestration import jobs
from orchestration.config import REPO_ROOT

# file -> (run launcher module, class, XLA_DAGSTER_EXECUTOR it is meant for)
DEPLOYMENTS = {
    "dagster.k8s.yaml": ("dagster_k8s", "K8sRunLauncher", "k8s"),
    "dagster.celery.yaml": ("dagster_celery_k8s", "CeleryK8sRunLauncher", "celery_k8s"),
    "dagster.docker.yaml": ("dagster_docker", "DockerRunLauncher", None),
}


def load(name: str) -> dict:
    return yaml.safe_load((REPO_ROOT / "deploy" / name).read_text())


def env(config: dict) -> dict[str, str | None]:
    """The launcher's env_vars as a mapping (a bare name passes the daemon's value on)."""
    pairs = (entry.partition("=") for entry in config["env_vars"])
    return {key: value if sep else None for key, sep, value in pairs}


def test_every_example_instance_is_listed() -> None:
    assert {p.name for p in (REPO_ROOT / "deploy").glob("*.yaml")} == set(DEPLOYMENTS)


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_an_example_instance_is_a_valid_dagster_yaml(name: str) -> None:
    result = validate_config(Shape(dagster_instance_config_schema()), load(name))
    assert result.success, [error.message for error in result.errors or []]


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_a_cluster_keeps_its_runs_in_postgres_from_the_environment(name: str) -> None:
    db = load(name)["storage"]["postgres"]["postgres_db"]
    for key in ("hostname", "username", "password", "db_name"):
        assert set(db[key]) == {"env"}, key  # never a literal credential
    assert db["port"] == 5432


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_a_cluster_queues_runs_as_one_machine_does(name: str) -> None:
    local = yaml.safe_load((REPO_ROOT / "dagster.yaml").read_text())
    assert load(name)["run_coordinator"] == local["run_coordinator"]
    assert local["run_coordinator"]["config"]["max_concurrent_runs"] == 1


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_every_run_finds_the_data_folder_where_it_is_mounted(name: str) -> None:
    module, cls, executor = DEPLOYMENTS[name]
    launcher = load(name)["run_launcher"]
    assert (launcher["module"], launcher["class"]) == (module, cls)
    config = launcher["config"]
    variables = env(config)
    if module == "dagster_docker":
        mounts = {volume.split(":")[1] for volume in config["container_kwargs"]["volumes"]}
        assert "XLA_DAGSTER_EXECUTOR" in variables  # the daemon's choice, passed on
    else:
        mounts = {mount["mount_path"] for mount in config["volume_mounts"]}
        assert {m["name"] for m in config["volume_mounts"]} == {
            v["name"] for v in config["volumes"]
        }
        assert config["instance_config_map"]
        assert variables["XLA_DAGSTER_EXECUTOR"] == executor
    assert executor is None or executor in jobs.EXECUTORS
    assert variables["XLA_DATA_DIR"] in mounts


def test_the_docs_name_every_example_instance() -> None:
    text = (REPO_ROOT / "docs" / "cluster.md").read_text()
    for name in DEPLOYMENTS:
        assert f"deploy/{name}" in text
