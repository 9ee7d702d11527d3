import pytest

from workbench.core.demo import generate_demo


@pytest.fixture(scope="session")
def demo_months(tmp_path_factory):
    """Single 500-return months for seeds 1..3 -> {seed: DemoResult}."""
    out = {}
    for seed in (1, 2, 3):
        out[seed] = generate_demo(tmp_path_factory.mktemp(f"demo_seed{seed}"), returns=500, seed=seed)
    return out


@pytest.fixture(scope="session")
def three_months(tmp_path_factory):
    return generate_demo(tmp_path_factory.mktemp("demo_3m"), returns=500, seed=1, months=3,
                         start="2026-08")
