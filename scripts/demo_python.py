"""The demo's Python part: Foundation's tutorial loop, unchanged, on the Swift core.

Runs one episode of Foundation's tutorial environment through ``economist.foundation``
with random valid actions, prints its metrics, saves its dense log (Foundation's LZ4 format) to
the path given and draws Foundation's tutorial breakdown next to it.
"""

import os
import sys
import time

import numpy as np

from economist import foundation, plotting
from economist.foundation.configs import TUTORIAL_ENV_CONFIG  # Foundation's tutorial env_config dict


def sample_random_action(agent, mask, rng):
    """Foundation's tutorial helper: a random valid action from the agent's mask."""
    if agent.multi_action_mode:
        split = np.cumsum(agent.action_spaces)[:-1]
        return [int(rng.choice(np.flatnonzero(m))) for m in np.split(mask, split)]
    return int(rng.choice(np.flatnonzero(mask)))


env = foundation.make_env_instance(**TUTORIAL_ENV_CONFIG)
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
# Foundation's tutorial breakdown: charts (drawn by the Swift core) plus incomes and endowments.
(world, agents, trades), incomes, endows, c_trades, all_builds = plotting.breakdown(env.previous_episode_dense_log)
folder = os.path.dirname(sys.argv[1]) or "."
for name, image in (("world", world), ("agents", agents), ("trajectories", trades)):
    image.save(os.path.join(folder, f"breakdown-{name}.png"))
print(f"coin at the end by agent: {endows}; houses built: {len(all_builds)}; "
      f"trades: {sum(len(v) for v in (c_trades or {}).values())}")
print(f"breakdown charts: {folder}/breakdown-world.png, breakdown-agents.png, breakdown-trajectories.png")
