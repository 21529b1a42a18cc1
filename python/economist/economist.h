/* The C ABI of Economist's Python package (libeconomist_c.so), version 2.
 *
 * Every call validates its arguments and never traps: failures return a status (or NULL) and
 * leave a message for economist_last_error() on the calling thread. Strings returned as char *
 * are the caller's to release with economist_free(). Handles are opaque.
 */
#include <stdint.h>

enum {
  ECONOMIST_OK = 0,
  ECONOMIST_CONFIG = 1,       /* a config problem: file, key path, line, expected and found */
  ECONOMIST_ARGUMENT = 2,     /* NULL pointer, index out of range, unknown name */
  ECONOMIST_ACTION = 3,       /* an action outside its space (nothing was stepped) */
  ECONOMIST_EPISODE_OVER = 4, /* a step after the episode ended, without automatic resets */
  ECONOMIST_SETUP = 5,        /* an environment that cannot be set up (mapping, memory budget) */
  ECONOMIST_IO = 6,           /* a file that cannot be read or written */
};

enum { ECONOMIST_AUTO_RESET = 1, ECONOMIST_DENSE_LOGS = 2 };   /* economist_env_create flags */

enum {                                                          /* economist_env_buffer kinds */
  ECONOMIST_OBSERVATIONS = 0,       /* float32 [envs x agents x observation_size] */
  ECONOMIST_MASKS = 1,              /* float32 [envs x agents x mask_size] */
  ECONOMIST_ACTIONS = 2,            /* int32   [envs x agents x action_width], read by a step */
  ECONOMIST_REWARDS = 3,            /* float32 [envs x agents] */
  ECONOMIST_FINAL_OBSERVATIONS = 4, /* float32, where an episode ended in the last step */
  ECONOMIST_MASKED_ACTIONS = 5,     /* int32 [envs x agents]: actions that acted as NO-OP */
  ECONOMIST_TERMINATED = 6,         /* uint8 [envs] (policy ignored) */
  ECONOMIST_TRUNCATED = 7,          /* uint8 [envs] (policy ignored) */
};

int32_t economist_abi_version(void);
const char *economist_last_error(void);
void economist_free(char *string);

/* NULL on failure, with the status in *status when status is not NULL. */
void *economist_env_create(const char *config, const char *origin, int32_t envs, int32_t threads,
                           int32_t flags, int32_t *status);
void economist_env_destroy(void *env);
char *economist_env_describe(void *env);
void *economist_env_buffer(void *env, int32_t policy, int32_t kind);
/* mode 0: env i seeded from seed by stream i; 1: env i seeded with seed + i.
 * dense_log: -1 as the config says, 0 none, 1 keep one this episode. */
int32_t economist_env_reset(void *env, uint64_t seed, int32_t mode, int32_t dense_log);
int32_t economist_env_step(void *env);
int32_t economist_env_step_random(void *env);
/* what: metrics, previous_episode_metrics, dense_log, previous_episode_dense_log, state, status,
 * take_dense_log (the latest finished episode's dense log not taken before, then cleared),
 * saez_local_buffer, saez_samples ([[income, marginal rate], ...]; null without tax_model saez) */
char *economist_env_query(void *env, int32_t index, const char *what);

/* Sets agents' state in env index by hand (JSON keyed by agent id, Foundation's agent.state keys:
 * loc, inventory, escrow, endogenous.Labor, build_payment, build_skill, ...) and rewrites its
 * observations; on an error nothing changes. */
int32_t economist_env_set_state(void *env, int32_t index, const char *json);

/* Installs a pooled Saez buffer (JSON [[income, marginal rate], ...], every replica's local buffer
 * concatenated) as env index's global buffer (Foundation's set_global_saez_buffer). */
int32_t economist_env_set_saez_global_buffer(void *env, int32_t index, const char *json);

char *economist_dense_log_load(const char *path);
/* lz4: 1 an LZ4 frame (Foundation's format), 0 plain JSON, -1 by the .lz4 suffix */
int32_t economist_dense_log_save(const uint8_t *json, int64_t length, const char *path, int32_t lz4);

/* A run config (YAML or JSON text: an env section alone or with general, agent_policy,
 * planner_policy, trainer) read as `economist train` reads it, as JSON with RLlib's key names and
 * every default filled in; NULL on failure (ECONOMIST_CONFIG), the status in *status. */
char *economist_run_config(const char *config, const char *origin, int32_t *status);
