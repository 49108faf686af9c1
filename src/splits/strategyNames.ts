/** The strategy names, in a module without imports: the CLI's argument check and the extension's commands load no engine. */
export const STRATEGIES = [
  'holdout',
  'kfold',
  'stratified-kfold',
  'group-kfold',
  'stratified-group-kfold',
  'group-holdout',
  'time-series',
] as const;
export type Strategy = (typeof STRATEGIES)[number];

export function isStrategy(s: string): s is Strategy {
  return (STRATEGIES as readonly string[]).includes(s);
}
