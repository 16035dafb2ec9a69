export * from './case-events.ts';
export * from './case-machine.ts';
export * from './policy.ts';
