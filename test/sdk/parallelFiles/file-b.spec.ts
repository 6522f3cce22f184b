import { afterAll, beforeAll, it } from 'vitest';
import { dropNamespace, meetTheOther, type Namespace, ownNamespace, workTheQueue } from './fileSetup.js';

let ns: Namespace;
beforeAll(async () => {
  ns = await ownNamespace();
  await meetTheOther('b', 'a');
});
afterAll(() => dropNamespace(ns));

it('works its own orders queue while the other file works its own', () => workTheQueue(ns, 'file-b', 400));
