"""An RLlib env runner that steps a whole :class:`economist.VectorEnv` per call.

RLlib's ``MultiAgentEnvRunner`` steps each sub-env in a Python loop, deep-copies every
observation dict, runs its connector pipelines and appends to episode objects agent by agent
at every step; with the Swift env that bookkeeping, not the simulation, is nearly all of the
sampling time. ``VectorEnvRunner`` keeps RLlib's runner (weights, metrics, checkpoints,
callbacks, fault tolerance) and replaces the sampling loop: one batched forward pass per policy
on zero-copy views of the Swift buffers, one foreign call steps every env, the step's data goes
into preallocated arrays, and ``MultiAgentEpisode`` objects are built once per finished episode
or fragment.

    config = ppo_config("scenarios/quickstart.yaml").env_runners(env_runner_cls=VectorEnvRunner)

(:func:`economist.rllib.ppo_config` uses it unless ``vector_runner=False``.) What it leaves out
of RLlib's loop: custom env-to-module and module-to-env connector pieces (it raises if any are
configured) and the ``on_episode_created``, ``on_episode_start`` and ``on_episode_step``
callbacks; ``on_environment_created``, ``on_episode_end`` (with the finished episode, right after
its last step) and ``on_sample_end`` are called.
"""

from __future__ import annotations

import uuid

import numpy as np
import torch

from ray.rllib.core.columns import Columns
from ray.rllib.env.multi_agent_env import MultiAgentEnv
from ray.rllib.env.multi_agent_env_runner import MultiAgentEnvRunner
from ray.rllib.env.multi_agent_episode import MultiAgentEpisode
from ray.rllib.env.single_agent_episode import SingleAgentEpisode
from ray.rllib.env.utils.infinite_lookback_buffer import InfiniteLookbackBuffer
from ray.rllib.env.vector.vector_multi_agent_env import VectorMultiAgentEnv
from ray.rllib.utils.metrics import (NUM_AGENT_STEPS_SAMPLED, NUM_AGENT_STEPS_SAMPLED_LIFETIME,
                                     NUM_ENV_STEPS_SAMPLED, NUM_ENV_STEPS_SAMPLED_LIFETIME, NUM_EPISODES,
                                     NUM_EPISODES_LIFETIME, NUM_MODULE_STEPS_SAMPLED,
                                     NUM_MODULE_STEPS_SAMPLED_LIFETIME, WEIGHTS_SEQ_NO)
from ray.rllib.callbacks.utils import make_callback

from ..vector import VectorEnv
from .env import EconomyEnv, _run_config, policy_of


def _sample_categoricals(logits: torch.Tensor, lens: list[int], explore: bool, generator: torch.Generator):
    """Actions ``[batch, len(lens)]`` drawn from the categoricals whose logits are ``logits``
    split by ``lens`` (Gumbel-max: argmax of logits plus Gumbel noise, exactly a categorical
    draw), with their log-probabilities summed over sub-actions (what RLlib's
    ``TorchCategorical``/``TorchMultiCategorical`` give); the argmax without ``explore``."""
    parts = torch.split(logits, lens, dim=-1) if len(lens) > 1 else (logits,)
    actions = []
    logp = torch.zeros(logits.shape[0])
    for part in parts:
        if explore:
            noise = torch.empty_like(part).exponential_(generator=generator).log_()  # log(Exp(1)) = -Gumbel
            choice = torch.argmax(part - noise, dim=-1)
            logp += torch.log_softmax(part, dim=-1).gather(-1, choice.unsqueeze(-1)).squeeze(-1)
        else:
            choice = torch.argmax(part, dim=-1)
        actions.append(choice)
    return torch.stack(actions, dim=-1), logp


class EnvSlot(MultiAgentEnv):
    """Env ``index`` of a runner's vector env, as callbacks and the training script see it:
    spaces, Foundation's metrics, dense logs."""

    def __init__(self, vector: VectorEnv, index: int, env_id: int, observation_spaces: dict, action_spaces: dict,
                 keep_dense_logs: bool):
        super().__init__()
        self._vector = vector
        self.index = index
        self.env_id = env_id
        self.possible_agents = list(vector.agents)
        self.agents = list(vector.agents)
        self.observation_spaces = observation_spaces
        self.action_spaces = action_spaces
        self.keep_dense_logs = keep_dense_logs
        self.dense_logs: list[tuple[int, bytes]] = []
        self.episodes = 0
        self.steps = 0

    @property
    def previous_episode_metrics(self) -> dict | None:
        return self._vector.query("previous_episode_metrics", self.index)

    @property
    def metrics(self) -> dict | None:
        return self._vector.query("metrics", self.index)

    def _episode_ended(self) -> None:
        self.episodes += 1
        if not self.keep_dense_logs:
            return
        text = self._vector.query_text("take_dense_log", self.index)
        if text != "null":
            self.dense_logs = (self.dense_logs + [(self.episodes, text.encode("utf-8"))])[-2:]

    def take_dense_logs(self) -> list[tuple[int, bytes]]:
        logs, self.dense_logs = self.dense_logs, []
        return logs

    def saez_local_buffer(self) -> list | None:
        return self._vector.saez_local_buffer(self.index)

    def set_saez_global_buffer(self, samples) -> None:
        self._vector.set_saez_global_buffer(samples, self.index)

    def reset(self, *, seed=None, options=None):
        raise RuntimeError("an EnvSlot is stepped by its VectorEnvRunner")

    def step(self, action_dict):
        raise RuntimeError("an EnvSlot is stepped by its VectorEnvRunner")


class SwiftVectorEnv(VectorMultiAgentEnv):
    """The runner's env: one :class:`economist.VectorEnv` and a slot per env."""

    def __init__(self, vector: VectorEnv, slots: list[EnvSlot]):
        super().__init__()
        import gymnasium as gym
        self.vector = vector
        self.envs = slots
        self.num_envs = vector.num_envs
        self.single_observation_spaces = slots[0].observation_spaces
        self.single_action_spaces = slots[0].action_spaces
        self.single_observation_space = gym.spaces.Dict(self.single_observation_spaces)
        self.single_action_space = gym.spaces.Dict(self.single_action_spaces)
        self.observation_space = self.single_observation_space
        self.action_space = self.single_action_space

    def close_extras(self, **kwargs):
        self.vector.close()


class _Chunk:
    """One env's current episode chunk: where it starts in the runner's arrays and episode, and
    for stateful policies the recurrent state its agents start from (the previous chunk's last
    STATE_OUT, a one-step lookback for the learner; None at an episode's start)."""
    __slots__ = ("episode_id", "start_row", "env_t_started", "state_before")

    def __init__(self, episode_id: str, start_row: int, env_t_started: int, state_before: dict | None = None):
        self.episode_id = episode_id
        self.start_row = start_row
        self.env_t_started = env_t_started
        self.state_before = state_before


class VectorEnvRunner(MultiAgentEnvRunner):
    """RLlib's multi-agent env runner with the sampling loop over one Swift ``VectorEnv``."""

    def make_env(self):
        if self.env is not None:
            try:
                self.env.close()
            except Exception:
                pass
        env_config = dict(self.config.env_config)
        run = _run_config(env_config)
        envs = int(self.config.num_envs_per_env_runner)
        worker = int(self.worker_index or 0)
        limit = env_config.get("dense_log_envs")
        keep = bool(env_config.get("dense_logs", True))
        vector = VectorEnv(run.text, num_envs=envs, threads=1, auto_reset=True, dense_logs=keep,
                           origin=run.origin)
        observation_spaces, action_spaces = {}, {}
        for policy in vector.policies:
            obs_space, act_space = EconomyEnv._spaces(policy)
            for agent in policy.agents:
                observation_spaces[agent], action_spaces[agent] = obs_space, act_space
        slots = []
        for k in range(envs):
            env_id = envs * (worker - 1) + k if worker > 0 else k
            slots.append(EnvSlot(vector, k, env_id, observation_spaces, action_spaces,
                                 keep and (limit is None or env_id < int(limit))))
        self.env = SwiftVectorEnv(vector, slots)
        self.num_envs = envs
        self._vector = vector
        self._seed_base = (int(env_config.get("seed") or 0), worker)
        self._resets = 0
        self._needs_initial_reset = True
        self._rows = 0
        make_callback("on_environment_created", callbacks_objects=self._callbacks,
                      callbacks_functions=self.config.callbacks_on_environment_created,
                      kwargs=dict(env_runner=self, metrics_logger=self.metrics, env=self.env, env_context=env_config))

    # -- Buffers ------------------------------------------------------------------------------

    def _allocate(self, rows: int) -> None:
        """Fresh arrays for ``rows`` steps of every env. Observations and masks are laid out
        ``[env, step, agent, ...]`` with one more step (the observation after the last), so that
        an episode chunk's are a view; the episodes keep them alive, so they are never reused."""
        k = self.num_envs
        self._rows = rows
        self._buffers = {}
        for p in self._vector.policies:
            a = len(p.agents)
            self._buffers[p.name] = {
                "obs": np.empty((k, rows + 1, a, p.observation_size), np.float32),
                "mask": np.empty((k, rows + 1, a, p.mask_size), np.float32),
                "actions": np.empty((rows, k, a, p.action_width), np.int64),
                "logp": np.empty((rows, k, a), np.float32),
                "dist": np.empty((rows, k, a, p.mask_size), np.float32),
                "rewards": np.empty((rows, k, a), np.float32),
            }
            for key, value in self._initial_states.get(p.name, {}).items():
                self._buffers[p.name]["state/" + key] = np.empty((rows, k, a) + value.shape, np.float32)

    # -- Sampling -----------------------------------------------------------------------------

    def _sample(self, *, num_timesteps=None, num_episodes=None, explore: bool, random_actions: bool = False,
                force_reset: bool = False):
        for pipeline in (self._env_to_module, self._module_to_env):
            custom = [c for c in pipeline.connectors if type(c).__module__.split(".")[:3] != ["ray", "rllib", "connectors"]]
            if custom:
                raise ValueError(f"VectorEnvRunner does not run custom connector pieces ({custom}); "
                                 "use RLlib's MultiAgentEnvRunner (ppo_config(..., vector_runner=False))")
        k = self.num_envs
        self.module.foreach_module(lambda _, m: m.eval() if isinstance(m, torch.nn.Module) else m)
        self._input_lens = {p.name: [int(n) for n in p.nvec] for p in self._vector.policies}
        self._initial_states = {p.name: {k: v.detach().numpy() for k, v in self.module[p.name].get_initial_state().items()}
                                for p in self._vector.policies if self.module[p.name].is_stateful()}
        if num_timesteps is not None:
            steps = max(1, -(-int(num_timesteps) // k))
        else:
            steps = None
        if force_reset or num_episodes is not None or self._needs_initial_reset:
            self._reset_all(explore)
        if num_episodes is not None:
            self._needs_initial_reset = True
        self._allocate(steps if steps is not None else self._vector.episode_length)
        done_episodes: list[MultiAgentEpisode] = []
        row = 0
        env_steps = 0
        episodes_done = 0
        sampling = True
        while sampling:
            if row == self._rows:
                # Episodes mode: every env started together and episodes have one length, so
                # all of them ended at this row and the arrays start over.
                if any(c.start_row != row for c in self._chunks):
                    raise RuntimeError("VectorEnvRunner: an episode outlived the step arrays")
                self._chunks = [_Chunk(c.episode_id, 0, 0) for c in self._chunks]
                self._allocate(self._rows)
                row = 0
            self._act(row, explore, random_actions)
            self._vector.step()
            for p in self._vector.policies:
                self._buffers[p.name]["rewards"][row] = p.rewards
            row += 1
            env_steps += k
            ended = np.flatnonzero(self._vector.truncated | self._vector.terminated)
            for env in ended:
                done_episodes.append(self._finish_episode(int(env), row))
                episodes_done += 1
            if steps is not None:
                sampling = row < steps
            else:
                sampling = episodes_done < num_episodes
        for p in self._vector.policies:  # the observation after the last step ends the chunks
            self._buffers[p.name]["obs"][:, row] = p.observations
            self._buffers[p.name]["mask"][:, row] = p.masks
        ongoing = self._flush_chunks(row) if num_timesteps is not None else []
        for slot in self.env.envs:
            slot.steps += env_steps // k
        self._count(env_steps, episodes_done)
        done = done_episodes + ongoing
        if self.episodes_to_numpy:
            done = [e.to_numpy() for e in done]
        self._done_episodes_for_metrics.extend(done_episodes)
        return done

    def _reset_all(self, explore: bool) -> None:
        # Episode seeds and exploration noise from (seed, runner, env steps sampled so far by the
        # whole run, resets): a resumed run goes on with new episodes instead of replaying the
        # first ones, and a run is the same whatever the machine or thread count.
        lifetime = int(getattr(self, "num_env_steps_sampled_lifetime", 0) or 0)
        words = np.random.SeedSequence([*self._seed_base, lifetime, self._resets]).generate_state(2, np.uint64)
        self._resets += 1
        self.reset_seed = int(words[0])  # the VectorEnv's reset seed (env i: stream i), for replays
        self._vector.reset(self.reset_seed)
        # Recurrent states of every (env, agent), at the policies' initial states.
        self._states = {name: {key: np.broadcast_to(value, (self.num_envs, len(p.agents)) + value.shape).copy()
                               for key, value in self._initial_states[name].items()}
                        for p in self._vector.policies for name in [p.name] if name in self._initial_states}
        self._noise = torch.Generator().manual_seed(int(words[1]) >> 1)
        self._random = np.random.default_rng(int(words[1]))
        self._ongoing_episodes_for_metrics.clear()
        self._chunks = [_Chunk(uuid.uuid4().hex, 0, 0) for _ in range(self.num_envs)]
        self._needs_initial_reset = False

    def _act(self, row: int, explore: bool, random_actions: bool) -> None:
        """Writes this step's observations and the policies' actions for every env."""
        for p in self._vector.policies:
            buffers = self._buffers[p.name]
            buffers["obs"][:, row] = p.observations
            buffers["mask"][:, row] = p.masks
            k, a = p.observations.shape[:2]
            if random_actions:
                actions = p.sample_actions(self._rng())
                buffers["actions"][row] = actions
                buffers["logp"][row] = 0.0
                buffers["dist"][row] = 0.0
                continue
            module = self.module[p.name]
            # The Swift buffers themselves (contiguous, read before the step changes them).
            batch = {Columns.OBS: {"observations": torch.from_numpy(p.observations.reshape(k * a, -1)),
                                   "action_mask": torch.from_numpy(p.masks.reshape(k * a, -1))}}
            states = self._states.get(p.name)
            if states is not None:
                batch[Columns.STATE_IN] = {key: torch.from_numpy(v.reshape(k * a, -1)) for key, v in states.items()}
            with torch.no_grad():
                out = module._forward_exploration(batch) if explore else module._forward_inference(batch)
                logits = out[Columns.ACTION_DIST_INPUTS]
                actions, logp = _sample_categoricals(logits, self._input_lens[p.name], explore, self._noise)
                if states is not None:
                    for key, value in out[Columns.STATE_OUT].items():
                        states[key][...] = value.numpy().reshape(states[key].shape)
                        buffers["state/" + key][row] = states[key]
            values = actions.numpy().reshape(k, a, -1)
            buffers["actions"][row] = values
            buffers["logp"][row] = logp.numpy().reshape(k, a)
            buffers["dist"][row] = logits.numpy().reshape(k, a, -1)
            p.actions[...] = values

    def _rng(self) -> np.random.Generator:
        return self._random

    def _episode(self, env: int, start: int, stop: int, last_obs: dict | None, done: bool) -> MultiAgentEpisode:
        """The episode chunk of env ``env`` over rows ``start..<stop``, ending in ``last_obs``
        (None: the observation at row ``stop``, a view), built directly in numpy form (what ``MultiAgentEpisode(...).to_numpy()`` builds from
        per-step dicts, without the per-step loop; a test checks that the two agree)."""
        chunk = self._chunks[env]
        length = stop - start
        t0 = chunk.env_t_started
        agents = self._vector.agents
        slot = self.env.envs[env]
        episode = MultiAgentEpisode(
            id_=chunk.episode_id, observation_space=slot.observation_spaces, action_space=slot.action_spaces,
            terminateds={"__all__": False}, truncateds={**{a: done for a in agents}, "__all__": done},
            env_t_started=t0, agent_t_started={a: t0 for a in agents}, len_lookback_buffer=0,
            agent_module_ids={a: policy_of(a) for a in agents},
            agent_to_module_mapping_fn=self.config.policy_mapping_fn)
        episode.env_t = t0 + length
        seq = np.full(length, self._weights_seq_no, np.int64)
        for p in self._vector.policies:
            b = self._buffers[p.name]
            discrete = p.action_space["type"] == "discrete"
            for i, agent in enumerate(p.agents):
                if last_obs is None:
                    obs = b["obs"][env, start:stop + 1, i]
                    mask = b["mask"][env, start:stop + 1, i]
                else:
                    obs = np.empty((length + 1, p.observation_size), np.float32)
                    obs[:length] = b["obs"][env, start:stop, i]
                    obs[length] = last_obs[agent]["observations"]
                    mask = np.empty((length + 1, p.mask_size), np.float32)
                    mask[:length] = b["mask"][env, start:stop, i]
                    mask[length] = last_obs[agent]["action_mask"]
                actions = b["actions"][start:stop, env, i, 0] if discrete else b["actions"][start:stop, env, i]
                extras = {
                    Columns.ACTION_LOGP: InfiniteLookbackBuffer(b["logp"][start:stop, env, i].copy()),
                    Columns.ACTION_DIST_INPUTS: InfiniteLookbackBuffer(b["dist"][start:stop, env, i].copy()),
                    WEIGHTS_SEQ_NO: InfiniteLookbackBuffer(seq.copy()),
                }
                if p.name in self._initial_states:
                    # STATE_OUT per step; a continuation chunk also carries the state it starts
                    # from as a one-step lookback (where RLlib's learner looks for it).
                    before = chunk.state_before[p.name] if chunk.state_before else None
                    states = {}
                    for key in self._initial_states[p.name]:
                        steps_ = b["state/" + key][start:stop, env, i]
                        states[key] = np.concatenate([before[key][i][None], steps_]) if before else steps_.copy()
                    extras[Columns.STATE_OUT] = InfiniteLookbackBuffer(states, lookback=1 if before else 0)
                episode.agent_episodes[agent] = SingleAgentEpisode(
                    agent_id=agent, module_id=p.name, multi_agent_episode_id=chunk.episode_id,
                    observations=InfiniteLookbackBuffer({"observations": obs, "action_mask": mask},
                                                        space=slot.observation_spaces[agent]),
                    observation_space=slot.observation_spaces[agent],
                    infos=InfiniteLookbackBuffer([{} for _ in range(length + 1)]),
                    actions=InfiniteLookbackBuffer(actions.copy(), space=slot.action_spaces[agent]),
                    action_space=slot.action_spaces[agent],
                    rewards=InfiniteLookbackBuffer(b["rewards"][start:stop, env, i].astype(np.float64)),
                    extra_model_outputs=extras, terminated=False, truncated=done, t_started=t0,
                    len_lookback_buffer=0)
                episode.env_t_to_agent_t[agent] = InfiniteLookbackBuffer(list(range(t0, t0 + length + 1)))
        episode.validate()
        return episode

    def _final_obs(self, env: int) -> dict:
        out = {}
        for p in self._vector.policies:
            rows = p.final_observations[env]
            masks = p.masks[env]
            for i, agent in enumerate(p.agents):
                # After an episode's end the masks already belong to the next episode; the
                # final observation's mask is never used (no action follows it).
                out[agent] = {"observations": rows[i].copy(), "action_mask": masks[i].copy()}
        return out

    def _finish_episode(self, env: int, row: int) -> MultiAgentEpisode:
        chunk = self._chunks[env]
        episode = self._episode(env, chunk.start_row, row, self._final_obs(env), done=True)
        slot = self.env.envs[env]
        slot._episode_ended()
        kwargs = dict(episode=episode, env_runner=self, metrics_logger=self.metrics, env=self.env,
                      rl_module=self.module, env_index=env,
                      prev_episode_chunks=self._ongoing_episodes_for_metrics[chunk.episode_id])
        make_callback("on_episode_end", callbacks_objects=self._callbacks,
                      callbacks_functions=self.config.callbacks_on_episode_end, kwargs=kwargs)
        self._chunks[env] = _Chunk(uuid.uuid4().hex, row, 0)
        for name, states in self._states.items():  # the next episode starts from initial states
            for key, value in states.items():
                value[env] = self._initial_states[name][key]
        return episode

    def _flush_chunks(self, row: int) -> list[MultiAgentEpisode]:
        """Cuts every ongoing episode at ``row``: returns the chunks and starts their
        continuations at row 0 (whose observation is the chunk's last)."""
        out = []
        for env, chunk in enumerate(self._chunks):
            length = row - chunk.start_row
            before = chunk.state_before
            if length > 0:
                episode = self._episode(env, chunk.start_row, row, None, done=False)
                self._ongoing_episodes_for_metrics[chunk.episode_id].append(episode)
                out.append(episode)
                if self._initial_states:
                    before = {name: {key: self._buffers[name]["state/" + key][row - 1, env].copy()
                                     for key in keys} for name, keys in self._initial_states.items()}
            self._chunks[env] = _Chunk(chunk.episode_id, 0, chunk.env_t_started + max(length, 0), before)
        return out

    def _count(self, env_steps: int, episodes: int) -> None:
        self.metrics.log_value(NUM_ENV_STEPS_SAMPLED, env_steps, reduce="sum")
        self.metrics.log_value(NUM_ENV_STEPS_SAMPLED_LIFETIME, env_steps, reduce="lifetime_sum",
                               with_throughput=True)
        if episodes:
            self.metrics.log_value(NUM_EPISODES, episodes, reduce="sum")
            self.metrics.log_value(NUM_EPISODES_LIFETIME, episodes, reduce="lifetime_sum")
        per_env = env_steps // self.num_envs
        for p in self._vector.policies:
            for agent in p.agents:
                n = per_env * self.num_envs
                self.metrics.log_value((NUM_AGENT_STEPS_SAMPLED, agent), n, reduce="sum")
                self.metrics.log_value((NUM_AGENT_STEPS_SAMPLED_LIFETIME, agent), n, reduce="lifetime_sum")
            n = per_env * self.num_envs * len(p.agents)
            self.metrics.log_value((NUM_MODULE_STEPS_SAMPLED, p.name), n, reduce="sum")
            self.metrics.log_value((NUM_MODULE_STEPS_SAMPLED_LIFETIME, p.name), n, reduce="lifetime_sum")
