"""Foundation's tutorial environment, as the ``env_config`` dict its tutorials pass to
``make_env_instance`` (the setting of the facts measured on Foundation 1.7.1)."""

TUTORIAL_ENV_CONFIG = {
    "scenario_name": "layout_from_file/simple_wood_and_stone",
    "components": [
        ("Build", {"skill_dist": "pareto", "payment_max_skill_multiplier": 3, "build_labor": 10, "payment": 10}),
        ("ContinuousDoubleAuction", {"max_bid_ask": 10, "order_labor": 0.25, "max_num_orders": 5,
                                     "order_duration": 50}),
        ("Gather", {"move_labor": 1, "collect_labor": 1, "skill_dist": "pareto"}),
        ("PeriodicBracketTax", {"period": 100, "bracket_spacing": "us-federal", "usd_scaling": 1000,
                                "disable_taxes": False}),
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
