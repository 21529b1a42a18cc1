"""The demo's Python part: Foundation's tutorial loop, unchanged, on the Swift core.

Runs one episode of scenarios/quickstart.yaml's environment through ``economist.foundation``
with random valid actions, prints its metrics and saves its dense log (Foundation's LZ4 format)
to the path given.
"""

import sys
import time

import numpy as np

from economist import foundation

env_config = {
    "scenario_name": "layout_from_file/simple_wood_and_stone",
    "components": [
        ("Build", {"skill_dist": "pareto", "payment_max_skill_multiplier": 3, "build_labor": 10, "payment": 10}),
        ("ContinuousDoubleAuction", {"max_bid_ask": 10, "order_labor": 0.25, "max_num_orders": 5,
                                     "order_duration": 50}),
        ("Gather", {"move_labor": 1, "collect_labor": 1, "skill_dist": "pareto"}),
        ("PeriodicBracketTax", {"period": 100, "bracket_spacing": "us-federal", "usd_scaling": 1000}),
    ],
    "env_layout_file": "quadrant_25x25_20each_30clump.txt",
    "starting_agent_coin": 10,
    "fixed_four_skill_and_loc": True,
    "n_agents": 4,
    "world_size": [25, 25],
    "episode_length": 1000,
    "multi_action_mode_agents": False,
    "multi_action_mode_planner": True,
    "flatten_observations": True,
    "flatten_masks": True,
}


def sample_random_action(agent, mask, rng):
    """Foundation's tutorial helper: a random valid action from the agent's mask."""
    if agent.multi_action_mode:
        split = np.cumsum(agent.action_spaces)[:-1]
        return [int(rng.choice(np.flatnonzero(m))) for m in np.split(mask, split)]
    return int(rng.choice(np.flatnonzero(mask)))


env = foundation.make_env_instance(**env_config)
rng = np.random.default_rng(1)
obs = env.reset(seed=1, force_dense_logging=True)
start = time.perf_counter()
for t in range(env.episode_length):
    actions = {str(a.idx): sample_random_action(a, obs[str(a.idx)]["action_mask"], rng) for a in env.all_agents}
    obs, rew, done, info = env.step(actions)
elapsed = time.perf_counter() - start
metrics = env.previous_episode_metrics
print(f"{env.episode_length} steps in {elapsed:.2f} s ({env.episode_length / elapsed:,.0f} steps/s, "
      "random actions drawn in Python)")
print(f"productivity {metrics['social/productivity']:.1f}, equality {metrics['social/equality']:.3f}")
foundation.utils.save_episode_log(env, sys.argv[1])
print(f"dense log: {sys.argv[1]}")
