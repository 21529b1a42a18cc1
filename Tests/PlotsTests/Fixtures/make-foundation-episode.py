import numpy as _np
for _n, _t in (("int", int), ("float", float), ("object", object)):
    if not hasattr(_np, _n): setattr(_np, _n, _t)
import numpy as np
from ai_economist import foundation
from ai_economist.foundation.utils import save_episode_log
env_config = {
    'scenario_name': 'layout_from_file/simple_wood_and_stone',
    'components': [
        ('Build', {'skill_dist': 'pareto', 'payment_max_skill_multiplier': 3, 'build_labor': 10, 'payment': 10}),
        ('ContinuousDoubleAuction', {'max_bid_ask': 10, 'order_labor': 0.25, 'max_num_orders': 5, 'order_duration': 50}),
        ('Gather', {'move_labor': 1, 'collect_labor': 1, 'skill_dist': 'pareto'}),
        ('PeriodicBracketTax', {'period': 25, 'bracket_spacing': 'us-federal', 'usd_scaling': 1000, 'disable_taxes': False}),
    ],
    'env_layout_file': 'quadrant_25x25_20each_30clump.txt',
    'starting_agent_coin': 10, 'fixed_four_skill_and_loc': True,
    'n_agents': 4, 'world_size': [25, 25], 'episode_length': 100,
    'multi_action_mode_agents': False, 'multi_action_mode_planner': True,
    'flatten_observations': True, 'flatten_masks': True, 'world_dense_log_frequency': 20,
}
np.random.seed(3)
env = foundation.make_env_instance(**env_config)
obs = env.reset(force_dense_logging=True)
rng = np.random.RandomState(5)
for t in range(100):
    actions = {}
    for k, o in obs.items():
        mask = o['action_mask']
        if k == 'p':
            # multi-action planner: mask is flat over subspaces; sample NO-OP mostly
            actions[k] = [0] * len(env.get_agent('p').action_spaces)
        else:
            valid = np.flatnonzero(mask)
            actions[k] = int(rng.choice(valid))
    obs, rew, done, info = env.step(actions)
save_episode_log(env, '/tmp/foundation-episode.lz4')
print('saved', done)
