import type { FakeState } from './fake-state.js';
import type { Responder } from './responder.js';

/** What every route family gets: the fake's state and the writer of answers. */
export interface FakeContext {
  readonly state: FakeState;
  readonly respond: Responder;
}
