/**
 * The names `eoc learn` takes, with no numerics behind them (the option table and help load this
 * without the trainers): the init schemes (src/learn/init.ts) and the tasks (src/learn/tasks.ts).
 */
export const LEARN_INITS = ['gaussian', 'orthogonal', 'balanced', 'pretrained'] as const;
export type LearnInit = (typeof LEARN_INITS)[number];

export const LEARN_TASKS = ['hierarchical', 'singular', 'npy'] as const;
export type LearnTaskKind = (typeof LEARN_TASKS)[number];
