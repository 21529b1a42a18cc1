"""Measure reference facts from Salesforce's Foundation (ai-economist 1.7.1).

Writes Tests/EconomyTests/Fixtures/foundation-catalogue.json:

    /tmp/fbench/venv/bin/python scripts/foundation/measure_catalogue.py \
        --out Tests/EconomyTests/Fixtures/foundation-catalogue.json

What it measures (every measurement carries the exact env config dict it used, in the
form `foundation.make_env_instance(**config)` accepts):

A. "one_step_economy": the one-step-economy scenario with [SimpleLabor, PeriodicBracketTax
   (period 2, us-federal brackets, model_wrapper)]: several cases varying the agent and
   planner reward types, SimpleLabor's mask_first_step and payment_max_skill_multiplier,
   and n_agents (4 and 10). Per case: the reset observation as Foundation produced it
   (with the construction-time skills), skills pinned after reset, two steps (planner
   tax actions then labor), every observation (flattened and unflattened, with the flat
   key layout), rewards, dones, end-of-episode metrics (in order) and the whole dense
   log; checked identical under several np.random.seed values. Also SimpleLabor's
   construction-time skills for several seeds and their mean/std over 200 seeds.
B. "wealth_redistribution": layout_from_file/simple_wood_and_stone with [Build,
   ContinuousDoubleAuction, Gather, WealthRedistribution], pinned agent locations and
   inventories and a 20-step scripted episode producing builds, bids, asks and trades;
   state after every step, the dense log, metrics, the single-action index map and a
   replayable trace; checked identical under three np.random.seed values.
C. "generators": statistics over 1000 resets each of quadrant, multi_zone, uniform and
   split_layout (two settings) on 25x25: source-tile counts, per-tile frequency maps,
   row/column profiles, clumping, water map, agent start locations, split_layout skill
   ranks; observation structure; and the error messages of invalid configurations.
D. Conservation facts and metric key order for A and B (inside those sections).

JSON notes: numpy values are converted to Python ints/floats/lists (ints stay ints);
NaN (Foundation's trade metrics with no trades) is written as the literal NaN, which
Python's json module and this project's JSONParser accept.

Making the venv (recipe in /work/shared/reference/foundation-venv.md):

    python3 -m venv /tmp/fbench/venv
    /tmp/fbench/venv/bin/pip install numpy==1.23.5 scipy==1.10.1 lz4==4.3.2 \
        pycryptodome==3.10.1 GPUtil==1.4.0
    /tmp/fbench/venv/bin/pip install --no-deps ai-economist==1.7.1

Measured with Python 3.11, numpy 1.23.5, scipy 1.10.1, ai-economist 1.7.1 (the
"versions" section of the output records the exact versions). Deterministic: numpy's
global RNG (which Foundation uses) is seeded explicitly before every construction and
reset. Runtime: about 20 seconds.
"""

import argparse
import contextlib
import copy
import io
import json
import random
import sys
import traceback
from importlib import metadata

import numpy as np

with contextlib.redirect_stdout(io.StringIO()):  # Foundation prints a GPU probe.
    from ai_economist import foundation


# ---------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def to_py(x):
    """Recursively convert numpy values to plain Python (ints stay ints)."""
    if isinstance(x, dict):
        return {str(k): to_py(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_py(v) for v in x]
    if isinstance(x, np.ndarray):
        return to_py(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    if isinstance(x, (int, float, str)) or x is None:
        return x
    raise TypeError("cannot convert {!r} ({})".format(x, type(x)))


def canon(x):
    """A string for equality checks (NaN-safe)."""
    return json.dumps(to_py(x), sort_keys=True)


def seed_all(seed):
    np.random.seed(seed)
    random.seed(seed)


def make_env(config):
    with contextlib.redirect_stdout(io.StringIO()):
        return foundation.make_env_instance(**copy.deepcopy(config))


def shape_of(v):
    return list(np.shape(v))


def r6(a):
    return np.round(np.asarray(a, dtype=np.float64), 6)


def error_of(fn):
    """Run fn; return None or a description of the exception it raised."""
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            fn()
    except Exception as e:  # noqa: BLE001 - we record whatever Foundation raises
        tb = traceback.extract_tb(e.__traceback__)
        last = tb[-1]
        return {
            "raised": True,
            "type": type(e).__name__,
            "message": str(e),
            "file": last.filename.split("site-packages/")[-1],
            "line": last.line,
            "stdout": buf.getvalue(),
        }
    return {"raised": False, "stdout": buf.getvalue()}


def flat_layout(env, aidx, raw_obs):
    """Key order and offsets of the packaged "flat" vector of agent aidx."""
    keep_as_is, flatten, wrap_as_list = env._packagers[aidx]
    layout = []
    offset = 0
    for k in flatten:
        size = 1 if wrap_as_list[k] else int(np.size(raw_obs[k]))
        layout.append({"key": k, "offset": offset, "size": size})
        offset += size
    return {"keep_as_is": list(keep_as_is), "flat": layout, "flat_size": offset}


def check_flat(env, obs, raw):
    """Assert that concatenating raw obs in packager order gives the flat vectors."""
    for aidx, (_, flatten, wrap) in env._packagers.items():
        if aidx.startswith("p") and aidx != "p":
            src = raw["p"][aidx]
            got = obs["p"][aidx]
        else:
            src = raw[aidx]
            got = obs[aidx]["flat"]
        parts = [[src[k]] if wrap[k] else src[k] for k in flatten]
        want = np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in parts])
        assert np.array_equal(want.astype(np.float32), np.asarray(got)), aidx


def raw_observations(env, simple_labor_first_step=None):
    """env._generate_observations(flatten False), without disturbing SimpleLabor's
    first-step flag (mask generation flips it). With simple_labor_first_step=True the
    call reproduces what reset() generated."""
    comps = [c for c in env.components if hasattr(c, "is_first_step")]
    saved = [c.is_first_step for c in comps]
    if simple_labor_first_step is not None:
        for c in comps:
            c.is_first_step = simple_labor_first_step
    o = to_py(
        env._generate_observations(flatten_observations=False, flatten_masks=False)
    )
    for c, s in zip(comps, saved):
        c.is_first_step = s
    return o


def metrics_record(m):
    return {"keys": list(m.keys()), "values": to_py(m)}


# ---------------------------------------------------------------------------------
# A. one-step economy
# ---------------------------------------------------------------------------------

TAX = {
    "period": 2,
    "bracket_spacing": "us-federal",
    "usd_scaling": 1000,
    "tax_model": "model_wrapper",
    "rate_disc": 0.05,
}


def one_step_config(n_agents, reward, simple_labor):
    cfg = {
        "scenario_name": "one-step-economy",
        "components": [
            {"SimpleLabor": dict(simple_labor)},
            {"PeriodicBracketTax": dict(TAX)},
        ],
        "n_agents": n_agents,
        "world_size": [10, 10],
        "episode_length": 2,
        "multi_action_mode_agents": False,
        "multi_action_mode_planner": True,
        "flatten_observations": True,
        "flatten_masks": True,
        "dense_log_frequency": 1,
    }
    cfg.update(reward)
    return cfg


ONE_STEP_CASES = [
    {
        "name": "coin_minus_labor_exp2_cost1__iiwu__mask_true__pmsm3",
        "note": "the paper's setting: agents NO-OP on step 1, labor on step 2",
        "config": one_step_config(
            4,
            {
                "agent_reward_type": "coin_minus_labor_cost",
                "labor_exponent": 2.0,
                "labor_cost": 1.0,
                "planner_reward_type": "inv_income_weighted_utility",
            },
            {"mask_first_step": True, "payment_max_skill_multiplier": 3},
        ),
        "skills": [1.0, 1.3, 2.0, 3.0],
        "step1_planner": [0, 3, 5, 10, 20, 1, 7],
        "step1_agents": [0, 0, 0, 0],
        "step2_agents": [10, 40, 70, 100],
    },
    {
        "name": "coin_minus_labor_exp3.5_cost0.5__ceqp_mix0__mask_true__pmsm5",
        "note": "mask_first_step True but agents act on step 1 anyway "
        "(Foundation does not enforce masks)",
        "config": one_step_config(
            4,
            {
                "agent_reward_type": "coin_minus_labor_cost",
                "labor_exponent": 3.5,
                "labor_cost": 0.5,
                "planner_reward_type": "coin_eq_times_productivity",
                "mixing_weight_gini_vs_coin": 0,
            },
            {"mask_first_step": True, "payment_max_skill_multiplier": 5},
        ),
        "skills": [1.0, 1.3, 2.0, 3.0],
        "step1_planner": [1, 2, 3, 4, 5, 6, 7],
        "step1_agents": [5, 0, 20, 50],
        "step2_agents": [10, 40, 70, 100],
    },
    {
        "name": "isoelastic_eta0.23_cost0.01__ceqp_mix0.3__mask_false__pmsm3",
        "note": "mask_first_step False; agents act on both steps",
        "config": one_step_config(
            4,
            {
                "agent_reward_type": "isoelastic_coin_minus_labor",
                "isoelastic_eta": 0.23,
                "labor_cost": 0.01,
                "planner_reward_type": "coin_eq_times_productivity",
                "mixing_weight_gini_vs_coin": 0.3,
            },
            {"mask_first_step": False, "payment_max_skill_multiplier": 3},
        ),
        "skills": [1.0, 1.3, 2.0, 3.0],
        "step1_planner": [21, 0, 11, 15, 2, 9, 4],
        "step1_agents": [30, 1, 100, 0],
        "step2_agents": [10, 40, 70, 100],
    },
    {
        "name": "isoelastic_eta0.23_cost0.01__iiwu__mask_true__pmsm5__noop_agent",
        "note": "agent 1 NO-OPs (action 0) on step 2",
        "config": one_step_config(
            4,
            {
                "agent_reward_type": "isoelastic_coin_minus_labor",
                "isoelastic_eta": 0.23,
                "labor_cost": 0.01,
                "planner_reward_type": "inv_income_weighted_utility",
            },
            {"mask_first_step": True, "payment_max_skill_multiplier": 5},
        ),
        "skills": [1.0, 1.3, 2.0, 3.0],
        "step1_planner": [0, 3, 5, 10, 20, 1, 7],
        "step1_agents": [0, 0, 0, 0],
        "step2_agents": [10, 0, 70, 100],
    },
    {
        "name": "coin_minus_labor_exp2_cost1__ceqp_mix0.3__mask_false__pmsm3__noop_agent",
        "note": "mask_first_step False, agents NO-OP on step 1, agent 0 NO-OPs on step 2",
        "config": one_step_config(
            4,
            {
                "agent_reward_type": "coin_minus_labor_cost",
                "labor_exponent": 2.0,
                "labor_cost": 1.0,
                "planner_reward_type": "coin_eq_times_productivity",
                "mixing_weight_gini_vs_coin": 0.3,
            },
            {"mask_first_step": False, "payment_max_skill_multiplier": 3},
        ),
        "skills": [1.0, 1.3, 2.0, 3.0],
        "step1_planner": [11, 11, 11, 11, 11, 11, 11],
        "step1_agents": [0, 0, 0, 0],
        "step2_agents": [0, 40, 70, 100],
    },
    {
        "name": "coin_minus_labor_exp3.5_cost0.5__iiwu__mask_true__pmsm3__10_agents",
        "note": "10 agents",
        "config": one_step_config(
            10,
            {
                "agent_reward_type": "coin_minus_labor_cost",
                "labor_exponent": 3.5,
                "labor_cost": 0.5,
                "planner_reward_type": "inv_income_weighted_utility",
            },
            {"mask_first_step": True, "payment_max_skill_multiplier": 3},
        ),
        "skills": [1.0, 1.1, 1.2, 1.3, 1.5, 1.7, 2.0, 2.4, 2.8, 3.0],
        "step1_planner": [0, 3, 5, 10, 20, 1, 7],
        "step1_agents": [0] * 10,
        "step2_agents": [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    },
    {
        "name": "isoelastic_eta0.23_cost0.01__ceqp_mix0__mask_true__pmsm3__act_first",
        "note": "mask_first_step True, agents act on step 1 and on step 2; the step-2 "
        "labor overwrites Labor while production and coin accumulate",
        "config": one_step_config(
            4,
            {
                "agent_reward_type": "isoelastic_coin_minus_labor",
                "isoelastic_eta": 0.23,
                "labor_cost": 0.01,
                "planner_reward_type": "coin_eq_times_productivity",
                "mixing_weight_gini_vs_coin": 0,
            },
            {"mask_first_step": True, "payment_max_skill_multiplier": 3},
        ),
        "skills": [1.0, 1.3, 2.0, 3.0],
        "step1_planner": [0, 3, 5, 10, 20, 1, 7],
        "step1_agents": [100, 50, 25, 10],
        "step2_agents": [10, 40, 70, 100],
    },
]


def agent_state_record(env):
    out = {}
    for a in env.all_agents:
        s = {k: copy.deepcopy(v) for k, v in a.state.items()}
        out[str(a.idx)] = to_py(s)
    return out


def tax_component_record(tax):
    return to_py(
        {
            "tax_cycle_pos": tax.tax_cycle_pos,
            "curr_rate_indices": list(tax.curr_rate_indices),
            "curr_marginal_rates": tax.curr_marginal_rates,
            "last_coin": list(tax.last_coin),
            "last_income": list(tax.last_income),
            "last_marginal_rate": list(tax.last_marginal_rate),
            "last_effective_tax_rate": list(tax.last_effective_tax_rate),
            "total_collected_taxes": tax.total_collected_taxes,
        }
    )


def run_one_step_case(case, seed):
    cfg = case["config"]
    n = cfg["n_agents"]
    seed_all(seed)
    env = make_env(cfg)
    labor = env.get_component("SimpleLabor")
    tax = env.get_component("PeriodicBracketTax")
    rec = {}
    rec["construction_skills"] = to_py(labor.skills)

    obs0 = env.reset()
    reset_obs = to_py(obs0)
    mask_obj = obs0["0"]["action_mask"]
    rec["reset_obs"] = reset_obs
    rec["reset_obs_raw"] = raw_observations(env, simple_labor_first_step=True)
    assert labor.is_first_step is False
    check_flat(env, obs0, rec["reset_obs_raw"])
    rec["skills_after_reset_unpinned"] = [
        float(env.get_agent(str(i)).state["skill"]) for i in range(n)
    ]
    rec["locs_after_reset"] = [list(env.get_agent(str(i)).loc) for i in range(n)]
    rec["flat_layout"] = {
        aidx: flat_layout(
            env,
            aidx,
            rec["reset_obs_raw"]["p"][aidx] if aidx[0] == "p" and aidx != "p"
            else rec["reset_obs_raw"][aidx],
        )
        for aidx in env._packagers
    }

    # Pin skills.
    for i, s in enumerate(case["skills"]):
        env.get_agent(str(i)).state["skill"] = float(s)
    rec["state_after_pinning"] = agent_state_record(env)

    steps = []
    actions = [
        {
            **{str(i): int(a) for i, a in enumerate(case["step1_agents"])},
            "p": [int(x) for x in case["step1_planner"]],
        },
        {
            **{str(i): int(a) for i, a in enumerate(case["step2_agents"])},
            "p": [0] * len(case["step1_planner"]),
        },
    ]
    for t, act in enumerate(actions):
        obs, rew, done, info = env.step(copy.deepcopy(act))
        step = {
            "actions": act,
            "obs": to_py(obs),
            "obs_raw": raw_observations(env),
            "rewards": to_py(rew),
            "done": to_py(done),
            "state": agent_state_record(env),
            "tax": tax_component_record(tax),
        }
        check_flat(env, obs, step["obs_raw"])
        if t == 0:
            rec["reset_obs_agent0_mask_is_same_object_as_step1_mask"] = bool(
                obs["0"]["action_mask"] is mask_obj
            )
            rec["reset_obs_agent0_mask_object_after_step1"] = to_py(mask_obj)
        steps.append(step)
    rec["steps"] = steps

    m = env.previous_episode_metrics
    rec["metrics"] = metrics_record(m)
    live = env.metrics
    rec["env_metrics_equals_previous_episode_metrics"] = canon(live) == canon(m)
    rec["dense_log"] = to_py(env.previous_episode_dense_log)
    rec["replay_log_step_actions"] = to_py(
        [s["actions"] for s in env.previous_episode_replay_log["step"]]
    )

    # Conservation facts.
    agents = env.world.agents
    prod = [float(a.state["production"]) for a in agents]
    coin = [float(a.total_endowment("Coin")) for a in agents]
    tax_day = env.previous_episode_dense_log["PeriodicTax"][1]
    paid = [float(tax_day[str(i)]["tax_paid"]) for i in range(n)]
    lump = [float(tax_day[str(i)]["lump_sum"]) for i in range(n)]
    rec["conservation"] = {
        "sum_production": float(np.sum(prod)),
        "sum_agent_coin": float(np.sum(coin)),
        "sum_agent_coin_minus_sum_production": float(np.sum(coin) - np.sum(prod)),
        "sum_tax_paid": float(np.sum(paid)),
        "total_collected_taxes": float(tax.total_collected_taxes),
        "lump_sum_per_agent": lump,
        "lump_sum_times_n_minus_taxes": float(lump[0] * n - np.sum(paid)),
        "planner_coin": float(env.world.planner.inventory["Coin"]),
        "per_agent_coin_equals_production_minus_tax_plus_lump_sum": [
            abs(coin[i] - (prod[i] - paid[i] + lump[i])) < 1e-9 for i in range(n)
        ],
    }
    return rec, env


def measure_one_step():
    log("A. one-step economy")
    out = {"cases": [], "skills": {}}
    seeds = [1, 2, 3]
    for case in ONE_STEP_CASES:
        recs = []
        for s in seeds:
            rec, env = run_one_step_case(case, s)
            recs.append(rec)
        first = recs[0]
        # Everything after pinning must not depend on the seed.
        keys = ["steps", "metrics", "dense_log", "conservation", "state_after_pinning"]
        for r in recs[1:]:
            for k in keys:
                assert canon(r[k]) == canon(first[k]), (case["name"], k)
        a0 = env.get_agent("0")
        p = env.get_agent("p")
        entry = {
            "name": case["name"],
            "note": case["note"],
            "env": case["config"],
            "seed": seeds[0],
            "seed_usage": "np.random.seed(seed) before make_env_instance; "
            "env.reset() right after construction",
            "pinned_skills": case["skills"],
            "seeds_checked": seeds,
            "identical_after_pinning_under_all_seeds": True,
            "action_spaces": {
                "agent_n_actions_incl_noop": int(a0.action_spaces),
                "agent_action_names": list(a0._action_names),
                "agent_single_action_map_first_last": to_py(
                    [a0.single_action_map[1], a0.single_action_map[max(a0.single_action_map)]]
                ),
                "planner_nvec": to_py(p.action_spaces),
                "planner_action_names": list(p._action_names),
                "planner_multi_action_mode": bool(p.multi_action_mode),
                "disc_rates": to_py(env.get_component("PeriodicBracketTax").disc_rates),
                "bracket_cutoffs": to_py(
                    env.get_component("PeriodicBracketTax").bracket_cutoffs
                ),
                "planner_sub_action_semantics": "per bracket: 0 = NO-OP (keep the "
                "current rate index, which reset sets to 0 = rate 0.0); k in 1..21 "
                "selects disc_rates[k-1]",
            },
            "construction_skills_by_seed": {
                str(s): r["construction_skills"] for s, r in zip(seeds, recs)
            },
        }
        for k, v in first.items():
            if k != "construction_skills":
                entry[k] = v
        out["cases"].append(entry)
        log("  case", case["name"], "ok")

    # SimpleLabor construction skills.
    for n in [4, 10]:
        cfg = one_step_config(
            n,
            {"agent_reward_type": "coin_minus_labor_cost"},
            {"mask_first_step": True, "payment_max_skill_multiplier": 3},
        )
        per_seed = []
        for s in range(200):
            seed_all(s)
            env = make_env(cfg)
            per_seed.append(np.array(env.get_component("SimpleLabor").skills))
        arr = np.stack(per_seed)
        out["skills"]["n_agents_{}".format(n)] = {
            "env": cfg,
            "how": "np.random.seed(s); env = make_env_instance(**env); "
            "env.get_component('SimpleLabor').skills (index = agent idx = rank, "
            "ascending); each is the mean of 1000 sorted clipped Pareto(4) samples",
            "seeds": "0..199",
            "examples": {str(s): to_py(per_seed[s]) for s in range(5)},
            "mean_by_rank": to_py(arr.mean(axis=0)),
            "std_by_rank_ddof0": to_py(arr.std(axis=0)),
            "min_by_rank": to_py(arr.min(axis=0)),
            "max_by_rank": to_py(arr.max(axis=0)),
        }
    out["metric_keys"] = out["cases"][0]["metrics"]["keys"]
    for c in out["cases"]:
        assert c["metrics"]["keys"] == out["metric_keys"]
        assert all(loc == [-1, -1] for loc in c["locs_after_reset"])
        assert c["reset_obs_agent0_mask_is_same_object_as_step1_mask"]
        mft = c["env"]["components"][0]["SimpleLabor"]["mask_first_step"]
        reset_mask = c["reset_obs"]["0"]["action_mask"]
        assert reset_mask == [1.0] + [0.0 if mft else 1.0] * 100
        assert c["steps"][0]["obs"]["0"]["action_mask"] == [1.0] * 101
    out["notes"] = [
        "reset() generates the reset observation (and action masks) before the "
        "skills are pinned, so reset_obs carries the construction-time skills "
        "(skills_after_reset_unpinned / payment_max_skill_multiplier).",
        "Agents in one-step-economy have no location: reset clears them to [-1, -1] "
        "and they stay there.",
        "With mask_first_step True the reset observation's agent mask is NO-OP only "
        "([1, 0 x 100]); SimpleLabor flips its first-step flag when the masks are "
        "generated (inside reset), so every later mask is all ones.",
        "Masks are not enforced: labor chosen on step 1 under mask_first_step True "
        "is executed (see the *_mask_true_* cases with non-zero step-1 actions).",
        "An agent with a single action component gets the same mask array object "
        "at every step: the reset observation's agent action_mask array is changed in "
        "place by the next step (reset_obs_agent0_mask_object_after_step1).",
        "Labor (endogenous) is overwritten by each step's action; production and coin "
        "accumulate. Tax income is coin at step 2 minus coin at reset (0), so step-1 "
        "earnings are taxed too.",
        "obs_raw is env._generate_observations(flatten_observations=False, "
        "flatten_masks=False) called after the step (reset_obs_raw: with SimpleLabor's "
        "first-step flag set back to True for the call, reproducing reset()).",
    ]
    return out


# ---------------------------------------------------------------------------------
# B. WealthRedistribution
# ---------------------------------------------------------------------------------

WR_CONFIG = {
    "scenario_name": "layout_from_file/simple_wood_and_stone",
    "env_layout_file": "quadrant_25x25_20each_30clump.txt",
    "world_size": [25, 25],
    "n_agents": 4,
    "episode_length": 20,
    "starting_agent_coin": 10,
    "fixed_four_skill_and_loc": False,
    "resource_regen_prob": 0.0,
    "components": [
        {"Build": {"skill_dist": "none", "payment": 10}},
        {"ContinuousDoubleAuction": {"max_num_orders": 5, "order_duration": 50}},
        {"Gather": {"skill_dist": "none"}},
        {"WealthRedistribution": {}},
    ],
    "multi_action_mode_agents": False,
    "multi_action_mode_planner": True,
    "flatten_observations": True,
    "flatten_masks": True,
    "dense_log_frequency": 1,
}

WR_INITIAL = {
    "0": {"loc": [7, 3], "inventory": {"Coin": 5.0, "Wood": 3, "Stone": 3}},
    "1": {"loc": [7, 8], "inventory": {"Coin": 10.0, "Wood": 2, "Stone": 1}},
    "2": {"loc": [7, 1], "inventory": {"Coin": 20.0, "Wood": 1, "Stone": 0}},
    "3": {"loc": [4, 22], "inventory": {"Coin": 40.0, "Wood": 0, "Stone": 2}},
}

# Symbolic plan: per step, per agent, ("noop",) ("build",) ("buy", res, price)
# ("sell", res, price) or ("move", "left"/"right"/"up"/"down").
WR_PLAN = [
    # 1: agents 0 and 1 build (coin created: 2 x 10); agent 2 gathers stone at (6,1),
    #    agent 3 gathers wood at (4,23).
    {"0": ("build",), "1": ("build",), "2": ("move", "up"), "3": ("move", "right")},
    # 2: wood ask 3 (agent 0) and wood bid 4 (agent 1) cross: trade at the ask, 3
    #    (equal lifetimes), the buyer's excess 1 comes back from escrow; stone bid 6
    #    (agent 2) and stone ask 9 (agent 3) do not cross and rest in escrow.
    {"0": ("sell", "Wood", 3), "1": ("buy", "Wood", 4), "2": ("buy", "Stone", 6),
     "3": ("sell", "Stone", 9)},
    # 3: agent 3's new stone ask 5 matches agent 1's new bid 9 (the highest bid; it
    #    beats agent 2's older bid 6): trade at the ask, 5; agent 0 moves.
    {"0": ("move", "down"), "1": ("buy", "Stone", 9), "2": ("noop",),
     "3": ("sell", "Stone", 5)},
    # 4: agent 0 builds on a fresh tile; moves.
    {"0": ("build",), "1": ("move", "left"), "2": ("move", "down"),
     "3": ("move", "left")},
    # 5: agent 1 builds with the stone it bought; moves.
    {"0": ("noop",), "1": ("build",), "2": ("move", "left"), "3": ("move", "up")},
    # 6: agent 0's stone ask 2 meets agent 2's older bid 6: trade at the bid, 6;
    #    agent 1 asks 10 for wood (rests); agent 3 gathers wood at (2,22).
    {"0": ("sell", "Stone", 2), "1": ("sell", "Wood", 10), "2": ("move", "up"),
     "3": ("move", "up")},
    # 7: agent 2 bids 4 for stone (rests: the only ask is 9); agent 3 tries to build
    #    on the depleted wood source tile (a source-block landmark): nothing happens.
    {"0": ("noop",), "1": ("noop",), "2": ("buy", "Stone", 4), "3": ("build",)},
    # 8: moves.
    {"0": ("move", "right"), "1": ("noop",), "2": ("move", "up"),
     "3": ("move", "down")},
    # 9: agent 2 builds at (5,0); agent 3 tries to build without stone (fails).
    {"0": ("noop",), "1": ("noop",), "2": ("build",), "3": ("build",)},
    # 10: agent 3's wood bid 10 meets agent 1's ask 10: trade at 10; agent 0 bids 1
    #     for wood (rests); agent 2 gathers stone at (5,1).
    {"0": ("buy", "Wood", 1), "1": ("noop",), "2": ("move", "right"),
     "3": ("buy", "Wood", 10)},
    # 11: agent 3's wood ask 1 meets agent 0's older bid 1: trade at 1; agent 1's wood
    #     ask fails (it holds no wood).
    {"0": ("noop",), "1": ("sell", "Wood", 1), "2": ("noop",), "3": ("sell", "Wood", 1)},
    # 12: agent 0 asks 7 for the wood it bought in step 11, agent 1 bids 2 for wood,
    #     agent 3 bids 3 for stone (all three rest in escrow).
    {"0": ("sell", "Wood", 7), "1": ("buy", "Wood", 2), "2": ("noop",),
     "3": ("buy", "Stone", 3)},
    # 13: everyone moves down.
    {"0": ("move", "down"), "1": ("move", "down"), "2": ("move", "down"),
     "3": ("move", "down")},
    # 14: agent 2 asks 3 for stone: its own higher bid 4 is skipped (no self-trade),
    #     agent 3's older bid 3 matches: trade at 3; agents 0 and 1 try to build
    #     with nothing (fail).
    {"0": ("build",), "1": ("build",), "2": ("sell", "Stone", 3), "3": ("noop",)},
    # 15: agent 3 builds at (4,22); agent 1's wood bid 8 meets agent 0's older ask 7:
    #     trade at the ask, 7.
    {"0": ("noop",), "1": ("buy", "Wood", 8), "2": ("noop",), "3": ("build",)},
    # 16: agent 3 asks 6 for wood (rests: the only wood bid left is agent 1's 2).
    {"0": ("noop",), "1": ("noop",), "2": ("noop",), "3": ("sell", "Wood", 6)},
    # 17-20: NO-OPs to finish the episode (resting orders stay in escrow).
    {"0": ("noop",), "1": ("noop",), "2": ("noop",), "3": ("noop",)},
    {"0": ("noop",), "1": ("noop",), "2": ("noop",), "3": ("noop",)},
    {"0": ("noop",), "1": ("noop",), "2": ("noop",), "3": ("noop",)},
    {"0": ("noop",), "1": ("noop",), "2": ("noop",), "3": ("noop",)},
]


def action_index(agent, sym):
    """Single-action index for a symbolic action, from the agent's own action map."""
    inv = {tuple(v): int(k) for k, v in agent.single_action_map.items()}
    kind = sym[0]
    if kind == "noop":
        return 0
    if kind == "build":
        return inv[("Build", 1)]
    if kind == "buy":
        return inv[("ContinuousDoubleAuction.Buy_{}".format(sym[1]), sym[2] + 1)]
    if kind == "sell":
        return inv[("ContinuousDoubleAuction.Sell_{}".format(sym[1]), sym[2] + 1)]
    if kind == "move":
        n = {"left": 1, "right": 2, "up": 3, "down": 4}[sym[1]]
        return inv[("Gather", n)]
    raise ValueError(sym)


def pin_wr_state(env, initial):
    env.world.clear_agent_locs()
    for aid, st in initial.items():
        agent = env.get_agent(aid)
        r, c = st["loc"]
        got = env.world.set_agent_loc(agent, r, c)
        assert got == [r, c], (aid, got)
        for k, v in st["inventory"].items():
            agent.state["inventory"][k] = v


def wr_snapshot(env):
    agents = {}
    for a in env.world.agents:
        agents[str(a.idx)] = {
            "loc": [int(x) for x in a.loc],
            "inventory": {k: to_py(a.inventory[k]) for k in ["Coin", "Wood", "Stone"]},
            "escrow": {k: to_py(a.escrow[k]) for k in ["Coin", "Wood", "Stone"]},
            "labor": to_py(a.endogenous["Labor"]),
        }
    total = float(sum(a.inventory["Coin"] + a.escrow["Coin"] for a in env.world.agents))
    return {"agents": agents, "total_coin": total}


def sort_events(log_steps, key):
    return [sorted(to_py(s), key=lambda e: json.dumps(e, sort_keys=True)) for s in log_steps]


def run_wr(seed, actions):
    seed_all(seed)
    env = make_env(WR_CONFIG)
    env.reset()
    baseline = to_py(env.curr_optimization_metric)
    pin_wr_state(env, WR_INITIAL)
    rec = {"utility_baseline_at_reset_before_pinning": baseline}
    rec["initial_snapshot"] = wr_snapshot(env)
    build = env.get_component("Build")
    cda = env.get_component("ContinuousDoubleAuction")
    gather = env.get_component("Gather")
    steps = []
    cum_build = 0.0
    initial_total = rec["initial_snapshot"]["total_coin"]
    for t, act in enumerate(actions):
        obs, rew, done, info = env.step(copy.deepcopy(act))
        builds = to_py(build.builds[-1])
        trades = to_py(cda.executed_trades[-1])
        gathers = to_py(gather.gathers[-1])
        cum_build += sum(b["income"] for b in builds)
        snap = wr_snapshot(env)
        snap.update(
            {
                "t": t + 1,
                "actions": act,
                "builds": sorted(builds, key=lambda b: b["builder"]),
                "trades": trades,
                "gathers": sorted(gathers, key=lambda g: g["agent"]),
                "open_bids": to_py(cda.bids),
                "open_asks": to_py(cda.asks),
                "rewards": to_py(rew),
                "done": to_py(done),
                "cumulative_build_income": cum_build,
                "total_coin_minus_initial_minus_build_income": snap["total_coin"]
                - initial_total
                - cum_build,
            }
        )
        steps.append(snap)
    rec["steps"] = steps
    rec["metrics"] = metrics_record(env.previous_episode_metrics)
    rec["dense_log"] = to_py(env.previous_episode_dense_log)
    return rec, env


def measure_wr():
    log("B. WealthRedistribution")
    seed_all(0)
    probe = make_env(WR_CONFIG)
    a0 = probe.get_agent("0")
    for i in range(4):
        assert probe.get_agent(str(i)).single_action_map == a0.single_action_map
    actions = []
    for step in WR_PLAN:
        act = {aid: action_index(a0, sym) for aid, sym in step.items()}
        act["p"] = [0]
        actions.append(act)
    seeds = [11, 22, 33]
    recs = [run_wr(s, actions)[0] for s in seeds]
    first = recs[0]
    for r in recs[1:]:
        assert canon(r["steps"]) == canon(first["steps"])
        assert canon(r["metrics"]) == canon(first["metrics"])
    raw_same = all(canon(r["dense_log"]) == canon(first["dense_log"]) for r in recs)

    def sorted_log(d):
        d = copy.deepcopy(d)
        for k in ["Build", "Gather"]:
            d[k] = sort_events(d[k], k)
        return d

    sorted_same = all(
        canon(sorted_log(r["dense_log"])) == canon(sorted_log(first["dense_log"]))
        for r in recs
    )
    assert sorted_same
    amap = {str(k): list(v) for k, v in sorted(a0.single_action_map.items())}
    p = probe.get_agent("p")
    out = {
        "env": WR_CONFIG,
        "seeds_checked": seeds,
        "seed_usage": "np.random.seed(seed) before make_env_instance; env.reset(); "
        "then pin locs (world.clear_agent_locs + world.set_agent_loc) and "
        "inventories; then step",
        "identical_steps_and_metrics_under_all_seeds": True,
        "dense_log_identical_raw_under_all_seeds": raw_same,
        "dense_log_identical_after_sorting_build_and_gather_events": sorted_same,
        "action_map": {
            "agent_n_actions_incl_noop": int(a0.action_spaces),
            "agent_action_names": list(a0._action_names),
            "agent_action_dims": to_py(a0.action_dim),
            "single_action_map": amap,
            "summary": "0 NO-OP; 1 Build; CDA sub-spaces in order "
            + ", ".join(
                "{} {}..{} (price = index - {})".format(
                    n,
                    min(int(k) for k, v in amap.items() if v[0] == n),
                    max(int(k) for k, v in amap.items() if v[0] == n),
                    min(int(k) for k, v in amap.items() if v[0] == n),
                )
                for n in a0._action_names
                if n.startswith("ContinuousDoubleAuction")
            )
            + "; Gather {}..{} = left, right, up, down".format(
                min(int(k) for k, v in amap.items() if v[0] == "Gather"),
                max(int(k) for k, v in amap.items() if v[0] == "Gather"),
            ),
            "planner_nvec": to_py(p.action_spaces),
            "planner_action_names": list(p._action_names),
        },
        "plan": [
            {aid: list(sym) for aid, sym in step.items()} for step in WR_PLAN
        ],
        "trace": {
            "env": WR_CONFIG,
            "initial_state": WR_INITIAL,
            "actions": actions,
        },
    }
    out.update(first)
    # Conservation summary.
    st = first["steps"]
    out["conservation"] = {
        "initial_total_coin": first["initial_snapshot"]["total_coin"],
        "final_total_coin": st[-1]["total_coin"],
        "total_build_income": st[-1]["cumulative_build_income"],
        "max_abs_total_coin_minus_initial_minus_build_income": max(
            abs(s["total_coin_minus_initial_minus_build_income"]) for s in st
        ),
        "n_builds": sum(len(s["builds"]) for s in st),
        "n_trades": sum(len(s["trades"]) for s in st),
        "agents_total_coin_equal_after_every_step": all(
            len(
                {
                    round(a["inventory"]["Coin"] + a["escrow"]["Coin"], 9)
                    for a in s["agents"].values()
                }
            )
            == 1
            for s in st
        ),
        "planner_coin_final": first["metrics"]["values"].get("endow/p/Coin"),
    }
    out["metric_keys"] = first["metrics"]["keys"]
    out["notes"] = [
        "Step-1 rewards are measured against the utilities computed by reset() "
        "before the inventories were pinned (utility_baseline_at_reset_before_pinning).",
        "WealthRedistribution sets every agent's inventory Coin to "
        "total/n_agents - its escrow Coin after every step (coin becomes float); the "
        "total (inventory + escrow over agents) only changes by build income.",
        "Build and Gather visit agents in a random order, so the order of events "
        "inside a step of the Build and Gather dense logs depends on the seed; the "
        "outcomes do not (dense_log_identical_* flags).",
        "Trade price: the earlier order's price (ask if bid_lifetime <= "
        "ask_lifetime, else bid); the buyer's escrowed bid minus the price returns to "
        "its inventory.",
        "A build on a depleted source tile fails (source blocks are landmarks).",
    ]
    log("  builds", out["conservation"]["n_builds"], "trades", out["conservation"]["n_trades"])
    return out


# ---------------------------------------------------------------------------------
# C. Generators
# ---------------------------------------------------------------------------------

GEN_COMPONENTS = [
    {"Build": {"skill_dist": "pareto", "payment_max_skill_multiplier": 3}},
    {"ContinuousDoubleAuction": {}},
    {"Gather": {}},
]


def gen_config(name, **extra):
    cfg = {
        "scenario_name": name,
        "components": copy.deepcopy(GEN_COMPONENTS),
        "n_agents": 4,
        "world_size": [25, 25],
    }
    cfg.update(extra)
    return cfg


GEN_SETTINGS = [
    ("quadrant", gen_config("quadrant/simple_wood_and_stone")),
    ("multi_zone", gen_config("multi_zone/simple_wood_and_stone")),
    ("uniform", gen_config("uniform/simple_wood_and_stone")),
    (
        "split_layout_default",
        gen_config(
            "split_layout/simple_wood_and_stone",
            env_layout_file="quadrant_25x25_20each_30clump.txt",
        ),
    ),
    (
        "split_layout_water8_top01",
        gen_config(
            "split_layout/simple_wood_and_stone",
            env_layout_file="quadrant_25x25_20each_30clump.txt",
            water_row=8,
            skill_rank_of_top_agents=[0, 1],
        ),
    ),
]


def neighbour_fraction(m):
    """Fraction of source tiles with at least one 4-neighbour source tile."""
    m = m > 0
    if m.sum() == 0:
        return None
    p = np.pad(m, 1)
    nb = p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]
    return float((m & nb).sum() / m.sum())


def count_stats(counts):
    c = np.asarray(counts)
    vals, n = np.unique(c, return_counts=True)
    return {
        "mean": float(c.mean()),
        "std_ddof0": float(c.std()),
        "min": int(c.min()),
        "max": int(c.max()),
        "histogram": [[int(v), int(k)] for v, k in zip(vals, n)],
    }


def obs_structure(cfg):
    seed_all(0)
    env = make_env(cfg)
    obs = env.reset()
    raw = raw_observations(env)
    st = {
        "mobile_raw_keys": list(raw["0"].keys()),
        "planner_raw_keys": list(raw["p"].keys()),
        "planner_raw_p0_keys": list(raw["p"]["p0"].keys()) if "p0" in raw["p"] else None,
        "mobile_raw_shapes": {k: shape_of(v) for k, v in raw["0"].items()},
        "planner_raw_shapes": {
            k: shape_of(v) for k, v in raw["p"].items() if not k.startswith("p")
            or k == "p"
        },
        "mobile_world_map_shape": shape_of(raw["0"]["world-map"]),
        "planner_world_map_shape": shape_of(raw["p"]["world-map"])
        if "world-map" in raw["p"] else None,
        "mobile_world_idx_map_shape": shape_of(raw["0"]["world-idx_map"]),
        "planner_world_idx_map_shape": shape_of(raw["p"]["world-idx_map"])
        if "world-idx_map" in raw["p"] else None,
        "map_channel_order": list(env.world.maps.keys()),
        "flattened_mobile_keys": list(obs["0"].keys()),
        "flattened_planner_keys": list(obs["p"].keys()),
        "flattened_shapes_mobile": {k: shape_of(v) for k, v in obs["0"].items()},
        "flattened_shapes_planner": {k: shape_of(v) for k, v in obs["p"].items()},
        "flat_layout_mobile": flat_layout(env, "0", raw["0"]),
        "flat_layout_planner": flat_layout(env, "p", raw["p"]),
    }
    # Dense-log world keys at step 0 (separate env with dense logging on).
    dcfg = dict(cfg, dense_log_frequency=1)
    seed_all(0)
    env2 = make_env(dcfg)
    env2.reset()
    env2.step({})
    w0 = env2.dense_log["world"][0]
    st["dense_log_world_keys_step0"] = list(w0.keys())
    st["dense_log_world_value_types_step0"] = {
        k: ("dict(" + ",".join(v.keys()) + ")" if isinstance(v, dict) else "array")
        for k, v in w0.items()
    }
    st["dense_log_probe_env"] = dcfg
    return st


def measure_generator(label, cfg, n_resets):
    seed_all(0)
    env = make_env(cfg)
    H, W = cfg["world_size"]
    maps_keys = list(env.world.maps.keys())
    has_water = "Water" in maps_keys
    split = cfg["scenario_name"].startswith("split_layout")
    counts = {"Wood": [], "Stone": []}
    freq = {"Wood": np.zeros((H, W)), "Stone": np.zeros((H, W))}
    clump = {"Wood": [], "Stone": []}
    start_freq = np.zeros((H, W))
    start_rows, start_cols = [], []
    starts_on_source = 0
    overlap_wood_stone = 0
    source_on_water = 0
    water0 = None
    water_changed = False
    rank_rows = [[] for _ in range(cfg["n_agents"])]
    build_payment_by_rank = None
    for _ in range(n_resets):
        env.reset()
        maps = env.world.maps
        ms = {}
        for r in ["Wood", "Stone"]:
            m = maps.get(r + "SourceBlock") > 0
            ms[r] = m
            counts[r].append(int(m.sum()))
            freq[r] += m
            f = neighbour_fraction(m)
            if f is not None:
                clump[r].append(f)
            # resources start at full health on every source tile
            assert np.array_equal(maps.get(r) > 0, m)
        if np.any(ms["Wood"] & ms["Stone"]):
            overlap_wood_stone += 1
        if has_water:
            wmap = maps.get("Water").copy()
            if water0 is None:
                water0 = wmap
            elif not np.array_equal(water0, wmap):
                water_changed = True
            if np.any((ms["Wood"] | ms["Stone"]) & (wmap > 0)):
                source_on_water += 1
        for a in env.world.agents:
            r, c = a.loc
            start_freq[r, c] += 1
            start_rows.append(r)
            start_cols.append(c)
            if ms["Wood"][r, c] or ms["Stone"][r, c]:
                starts_on_source += 1
        if split:
            ranked = list(env._avg_ranked_skill)
            for a in env.world.agents:
                rank = ranked.index(a.state["build_payment"])
                rank_rows[rank].append(a.loc[0])
            build_payment_by_rank = to_py(env._avg_ranked_skill)
    assert not water_changed
    n_starts = n_resets * cfg["n_agents"]
    res = {
        "env": cfg,
        "seed_usage": "np.random.seed(0) before make_env_instance, then {} "
        "consecutive env.reset() calls".format(n_resets),
        "n_resets": n_resets,
        "source_counts": {r: count_stats(counts[r]) for r in counts},
        "source_frequency_map": {r: to_py(r6(freq[r] / n_resets)) for r in freq},
        "row_profile_mean_sources_per_row": {
            r: to_py(r6(freq[r].sum(axis=1) / n_resets)) for r in freq
        },
        "col_profile_mean_sources_per_col": {
            r: to_py(r6(freq[r].sum(axis=0) / n_resets)) for r in freq
        },
        "clumping_mean_fraction_with_same_resource_4_neighbour": {
            r: (float(np.mean(clump[r])) if clump[r] else None) for r in clump
        },
        "resets_with_wood_and_stone_on_same_tile": overlap_wood_stone,
        "map_keys": maps_keys,
        "water_map": to_py(water0.astype(int)) if has_water else None,
        "water_tiles": int((water0 > 0).sum()) if has_water else 0,
        "water_map_constant_over_resets": (not water_changed) if has_water else None,
        "resets_with_a_source_on_water": source_on_water if has_water else None,
        "agent_start_frequency_map": to_py(r6(start_freq / n_resets)),
        "agent_start_mean_row": float(np.mean(start_rows)),
        "agent_start_mean_col": float(np.mean(start_cols)),
        "fraction_of_agent_starts_on_a_source_tile": starts_on_source / n_starts,
        "observation_structure": obs_structure(cfg),
    }
    if split:
        wl = int(env._water_line)
        res["water_line"] = wl
        res["water_row_is_all_water"] = bool(np.all(water0[wl] > 0))
        res["rows_with_any_water"] = [int(i) for i in np.where(water0.any(axis=1))[0]]
        res["skill_rank_of_top_agents"] = list(env.skill_rank_of_top_agents)
        res["ranks"] = {
            "rank_meaning": "0 = highest build_payment (env._avg_ranked_skill[0])",
            "build_payment_by_rank_this_construction": build_payment_by_rank,
            "fraction_starting_above_water_row": [
                float(np.mean(np.array(rows) < wl)) for rows in rank_rows
            ],
            "fraction_starting_below_water_row": [
                float(np.mean(np.array(rows) > wl)) for rows in rank_rows
            ],
            "mean_start_row": [float(np.mean(rows)) for rows in rank_rows],
            "min_start_row": [int(np.min(rows)) for rows in rank_rows],
            "max_start_row": [int(np.max(rows)) for rows in rank_rows],
        }
        spread = {}
        for s in [0, 1, 2]:
            seed_all(s)
            e = make_env(cfg)
            spread[str(s)] = to_py(e._avg_ranked_skill)
        res["ranks"]["build_payment_by_rank_for_3_constructions"] = {
            "how": "np.random.seed(s) before construction; Foundation itself does "
            "not seed this 100000-sample Monte Carlo (it uses the global RNG as it "
            "stands)",
            "values_by_seed": spread,
        }
        # Build's own pareto draw is overwritten for build_payment but not build_skill.
        env.reset()
        res["ranks"]["build_skill_vs_build_payment_example"] = [
            {
                "agent": a.idx,
                "build_payment": to_py(a.state["build_payment"]),
                "build_skill": to_py(a.state["build_skill"]),
            }
            for a in env.world.agents
        ]
    return res


def measure_errors():
    log("C. error cases")
    split = "split_layout/simple_wood_and_stone"
    lay = "quadrant_25x25_20each_30clump.txt"
    cases = [
        (
            "split_layout_fixed_four_skill_and_loc_true",
            gen_config(split, env_layout_file=lay, fixed_four_skill_and_loc=True),
        ),
        ("split_layout_water_row_0", gen_config(split, env_layout_file=lay, water_row=0)),
        ("split_layout_water_row_24", gen_config(split, env_layout_file=lay, water_row=24)),
        ("split_layout_water_row_23", gen_config(split, env_layout_file=lay, water_row=23)),
        ("split_layout_water_row_1", gen_config(split, env_layout_file=lay, water_row=1)),
        (
            "split_layout_skill_rank_of_top_agents_all_four",
            gen_config(split, env_layout_file=lay, skill_rank_of_top_agents=[0, 1, 2, 3]),
        ),
        (
            "split_layout_build_skill_dist_none",
            dict(
                gen_config(split, env_layout_file=lay),
                components=[
                    {"Build": {"skill_dist": "none"}},
                    {"ContinuousDoubleAuction": {}},
                    {"Gather": {}},
                ],
            ),
        ),
        (
            "multi_zone_65_zones_of_64",
            gen_config(
                "multi_zone/simple_wood_and_stone",
                num_wood_zones=30,
                num_stone_zones=30,
                num_wood_and_stone_zones=5,
            ),
        ),
        (
            "multi_zone_64_zones_of_64",
            gen_config(
                "multi_zone/simple_wood_and_stone",
                num_wood_zones=30,
                num_stone_zones=30,
                num_wood_and_stone_zones=4,
            ),
        ),
        ("quadrant_20x30", dict(gen_config("quadrant/simple_wood_and_stone"), world_size=[20, 30])),
        ("quadrant_30x20", dict(gen_config("quadrant/simple_wood_and_stone"), world_size=[30, 20])),
        ("quadrant_10x30", dict(gen_config("quadrant/simple_wood_and_stone"), world_size=[10, 30])),
    ]
    out = {}
    for name, cfg in cases:
        holder = {}

        def run():
            seed_all(0)
            env = make_env(cfg)
            holder["env"] = env
            holder["constructed"] = True
            env.reset()
            holder["reset"] = True
            env.step({})
            holder["stepped"] = True

        err = error_of(run)
        rec = {
            "env": cfg,
            "what": "np.random.seed(0); make_env_instance; reset(); step({})",
            "constructed": holder.get("constructed", False),
            "reset_ok": holder.get("reset", False),
            "step_ok": holder.get("stepped", False),
        }
        rec.update(err)
        env = holder.get("env")
        if env is not None and "Water" in env.world.maps.keys():
            w = env.world.maps.get("Water") if holder.get("reset") else env._water
            w = np.asarray(w)
            rec["water_rows_full_or_partial"] = {
                str(int(i)): int(w[i].sum()) for i in np.where(w.any(axis=1))[0]
            }
            rec["water_cols_with_over_half_water"] = [
                int(j) for j in np.where(w.sum(axis=0) > w.shape[0] / 2)[0]
            ]
            rec["water_rows_with_over_half_water"] = [
                int(i) for i in np.where(w.sum(axis=1) > w.shape[1] / 2)[0]
            ]
            if cfg["scenario_name"].startswith("quadrant"):
                h, wd = cfg["world_size"]
                rec["water_map"] = to_py(w.astype(int))
                rec["quadrant_water_lines"] = {
                    "vertical_line_col": int(h // 2),
                    "horizontal_line_row": int(wd // 2),
                    "rule": "Foundation puts the vertical water line at column "
                    "height // 2 and the horizontal one at row width // 2 (swapped "
                    "for non-square worlds; IndexError when width // 2 >= height "
                    "or height // 2 >= width)",
                }
        if "stdout" in rec and not rec["stdout"]:
            del rec["stdout"]
        out[name] = rec
    return out


def measure_generators(n_resets):
    log("C. generators")
    out = {}
    for label, cfg in GEN_SETTINGS:
        out[label] = measure_generator(label, cfg, n_resets)
        log("  ", label, "ok")
    out["errors"] = measure_errors()
    return out


# ---------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--resets", type=int, default=1000)
    args = ap.parse_args()

    import scipy

    result = {
        "versions": {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "ai-economist": metadata.version("ai-economist"),
        },
        "generated_by": "scripts/foundation/measure_catalogue.py",
    }
    result["one_step_economy"] = measure_one_step()
    result["wealth_redistribution"] = measure_wr()
    result["generators"] = measure_generators(args.resets)
    with open(args.out, "w") as f:
        f.write(readable_json(result))
        f.write("\n")
    log("wrote", args.out)


def readable_json(value, indent: int = 0) -> str:
    """JSON for review: one object member per line, arrays of numbers and strings on one line.

    Non-finite floats are written as ``NaN`` (Foundation reports NaN metrics when nothing was
    traded); the project's JSON parser reads them, as Python's does.
    """
    pad = " " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{pad}{json.dumps(k)}: {readable_json(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            return "[" + ",".join(json.dumps(v) for v in value) + "]"
        items = [pad + readable_json(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    return json.dumps(value)


if __name__ == "__main__":
    main()
