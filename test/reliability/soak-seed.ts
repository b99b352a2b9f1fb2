/**
 * The seed of a soak run: `--seed N` on the command line, else the
 * `GOAL_STORE_SOAK_SEED` environment variable, else a fresh one. Printed by
 * `npm run test:soak` so that any run can be replayed exactly.
 * @throws {Error} when the given seed is not an integer.
 */
export function soakSeed(argv: readonly string[], env: NodeJS.ProcessEnv, fresh = () => Date.now() % 2 ** 31): number {
  const flag = argv.indexOf("--seed");
  const given = flag !== -1 ? argv[flag + 1] : argv.find((arg) => arg.startsWith("--seed="))?.slice(7) ?? env.GOAL_STORE_SOAK_SEED;
  if (given === undefined || given === "") return fresh();
  const seed = Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`soak seed must be an integer, got ${JSON.stringify(given)}`);
  return seed;
}
