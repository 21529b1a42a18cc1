"""RLlib on a two-node Ray cluster started on this machine: the env runner placed on the second
node steps the Swift env there, both policies train, and Foundation's metrics reach the results."""

import numpy as np
import ray
from ray.cluster_utils import Cluster

from economist.rllib import ppo_config


def weights(algo):
    state = algo.learner_group.get_weights()
    return {m: np.concatenate([np.ravel(v) for v in state[m].values()]) for m in ("a", "p")}


def test_two_node_cluster_trains_both_policies_with_runners_on_the_second_node(small_config):
    def runner_report(runner):
        """Runs on the env runner (pickled by value): its node and its Swift envs' steps."""
        import ray as ray_on_runner
        slots = runner.env.envs if runner.env is not None else []
        return {"node": ray_on_runner.get_runtime_context().get_node_id(),
                "steps": sum(s.steps for s in slots), "envs": len(slots),
                "kind": type(runner.env.vector).__module__ if runner.env is not None else None}

    assert not ray.is_initialized()
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    try:
        head = cluster.head_node.node_id
        second = cluster.add_node(num_cpus=1, resources={"economist_runners": 1})
        ray.init(address=cluster.address, log_to_driver=False)
        assert len([n for n in ray.nodes() if n["Alive"]]) == 2
        config = (ppo_config(str(small_config), num_env_runners=1)
                  .env_runners(custom_resources_per_env_runner={"economist_runners": 1}))
        algo = config.build_algo()
        try:
            before = weights(algo)
            results = [algo.train() for _ in range(2)]
            after = weights(algo)
            reports = algo.env_runner_group.foreach_env_runner(runner_report, local_env_runner=False)
        finally:
            algo.stop()
    finally:
        ray.shutdown()
        cluster.shutdown()

    assert len(reports) == 1
    report = reports[0]
    assert report["node"] == second.node_id != head
    assert report["envs"] == 2 and report["kind"] == "economist.vector"
    assert report["steps"] == 2 * 400  # two iterations of 400 env steps, all stepped there
    for module in ("a", "p"):
        assert not np.array_equal(before[module], after[module]), module
    runners = results[-1]["env_runners"]
    assert results[-1]["num_env_steps_sampled_lifetime"] == 800
    assert float(runners["social/productivity"]) >= 0
    assert 0 <= float(runners["social/equality"]) <= 1
    assert set(runners["module_episode_returns_mean"]) == {"a", "p"}
