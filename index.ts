// The package entry of Tributary: everything public, from the three layer barrels.
export * from './core/index.ts';
