"""Hostile input at the Python boundary: every bad config, action, log or call is an exception,
never a crash of the interpreter (run in a subprocess so a crash fails the test, not pytest)."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(r"""
    import json, os, random, sys, tempfile
    import numpy as np
    import economist
    from economist import foundation, plotting

    facts = json.load(open(sys.argv[1]))
    base = json.dumps({"env": dict(facts["config"], episode_length=20,
                                   components=[{n: k} for n, k in facts["config"]["components"]])})
    rng = random.Random(7)
    handled = 0

    def attempt(f):
        global handled
        try:
            f()
        except (economist.EconomistError, ValueError, TypeError, KeyError, IndexError,
                NotImplementedError, OverflowError):
            handled += 1

    # 1. Mutated configs: bytes flipped, cut, duplicated; huge and negative numbers.
    specials = ["-1", "1e308", "nan", "inf", "99999999999999999999", "[]", "{}", "null", "''", "\u0000", "-0"]
    for i in range(300):
        text = list(base)
        for _ in range(rng.randint(1, 4)):
            k = rng.randrange(len(text))
            choice = rng.random()
            if choice < 0.4:
                text[k] = rng.choice('{}[]:,"0123456789-.e ntfl\\')
            elif choice < 0.7:
                del text[k:k + rng.randint(1, 20)]
            else:
                text[k:k] = list(rng.choice(specials))
        attempt(lambda: economist.VectorEnv("".join(text), num_envs=rng.randint(1, 3)))

    # 2. Actions: out of range, negative, wrong shapes and types, through both APIs.
    v = economist.VectorEnv(base, num_envs=2, threads=2)
    v.reset(1)
    for value in (-1, 50, 2**31 - 1, -2**31, 22, 10**6):
        v.policy("a").actions[...] = 0
        v.policy("a").actions[1, 3, 0] = value
        attempt(v.step)
        v.policy("p").actions[...] = 0
        v.policy("p").actions[0, 0, 6] = value
        attempt(v.step)
    for bad in ({"a": np.zeros((3, 3))}, {"a": "x"}, {"a": np.full((2, 4, 1), 1e30)}):
        attempt(lambda: v.step(bad))
    for what in ("", "metrics\x00", "state" * 1000, "\u00e9"):
        attempt(lambda: v.query(what))
    for seed in (-1, 2**64, 1.5, "7", None):
        attempt(lambda: v.reset(seed))
    env = foundation.make_env_instance(**dict(facts["config"], episode_length=5))
    env.reset(seed=2)
    for actions in ({"0": [1, 2]}, {"p": [1] * 8}, {"p": "abc"}, {"0": 1.5}, {"0": None}, {"0": True},
                    {"x": 0}, {"": 0}, {"0": 2**70}, [], "0", {"p": [-5] * 7}):
        attempt(lambda: env.step(actions))
    for _ in range(10):
        attempt(env.step)
    attempt(lambda: env.get_agent("-1"))
    attempt(lambda: env.get_agent("01"))

    # 3. Dense logs: damaged files and structures, into the loader and the charts.
    good = env.previous_episode_dense_log or {"world": [], "states": [], "actions": [], "rewards": []}
    raw = json.dumps(good)
    folder = tempfile.mkdtemp()
    for i in range(60):
        text = list(raw)
        for _ in range(rng.randint(1, 5)):
            k = rng.randrange(len(text))
            text[k:k + rng.randint(0, 30)] = list(rng.choice(specials + ['"Coin"', '-1', '[[', '}}']))
        path = os.path.join(folder, f"log{i}.json")
        open(path, "w").write("".join(text))
        attempt(lambda: foundation.utils.load_episode_log(path))
        attempt(lambda: plotting.chart(path, rng.choice(["world", "agents", "trajectories", "taxes", "economy"])))
    open(os.path.join(folder, "bad.lz4"), "wb").write(b"\x04\x22\x4d\x18" + os.urandom(200))
    attempt(lambda: foundation.utils.load_episode_log(os.path.join(folder, "bad.lz4")))
    attempt(lambda: foundation.utils.load_episode_log(os.path.join(folder, "missing.lz4")))
    attempt(lambda: plotting.vis_world_range(good, -5, 3, 0))
    attempt(lambda: plotting.chart(good, "world", size=(10**6, 10**6)))
    v.close()
    attempt(v.step)
    print("ok", handled)
""")


def test_hostile_inputs_never_crash_the_interpreter(tmp_path):
    from conftest import ROOT
    script = tmp_path / "hostile.py"
    script.write_text(SCRIPT)
    facts = ROOT / "Tests/EconomyTests/Fixtures/foundation-facts.json"
    done = subprocess.run([sys.executable, str(script), str(facts)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    assert "Fatal error" not in done.stderr
    status, handled = done.stdout.split()[-2:]
    assert status == "ok" and int(handled) > 300
