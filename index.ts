// The package entry of Tributary: everything public, from the layer barrels.
export * from './core/index.ts';
export * from './operators/index.ts';
