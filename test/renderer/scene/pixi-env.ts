/**
 * Lets pixi.js load under Node for tests of the scene's display objects: pixi reads
 * `navigator` when its modules load (Node 20 has none). Nothing is rendered; Graphics
 * record their drawing instructions, which is what the layer tests look at.
 * Import this before anything that imports pixi.js.
 */
const g = globalThis as { navigator?: unknown };
if (typeof g.navigator === 'undefined') g.navigator = { userAgent: 'node' };
