"""Fixtures of the RLlib tests (run in a virtual environment with ray[rllib] and torch:
scripts/test-rllib.sh)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "python/tests/configs/rllib_small.yaml"


@pytest.fixture(scope="session")
def small_config() -> Path:
    """A small two-policy run config: 50-step episodes, a planner setting tax rates."""
    return SMALL


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray for a test module that needs one (two CPUs, shut down after the module)."""
    import ray
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield ray
    ray.shutdown()
