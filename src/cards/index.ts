export * from './model';
export * from './text';
export * from './block-kit';
export * from './adaptive-card';
export * from './outgoing';
