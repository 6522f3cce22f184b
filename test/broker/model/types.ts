/**
 * The reference model's records, written as plainly as the rules allow: a message is a flat
 * object copied whole when it moves, an entity is two arrays. See model.ts for the rules.
 */

export type State = 'active' | 'deferred' | 'scheduled';

/** The application properties the model follows (rule actions set and remove them). */
export interface Props {
  n?: number;
  tag?: string;
  RuleName?: string;
}

/** What a rule looks at and an action changes: sys.Label (the subject) and the properties above. */
export interface Published {
  subject?: string;
  props: Props;
}

export interface MMsg extends Published {
  body: number;
  seq: number;
  sid?: string;
  state: State;
  dc: number;
  token?: string;
  /** Non-session lock expiry (session messages follow their session). */
  lockedUntil?: number;
  enq: number;
  /** Time to live, already capped by every entity's default it passed through. */
  ttl: number;
  exp: number;
  /** Auto-forward hops that brought it here. */
  hops: number;
  reason?: string;
  /** The entity it was dead-lettered in, when its dead-letter queue forwarded it on. */
  src?: string;
  fromSchedule?: boolean;
  /** Order numbers of its armed deadlines (see ModelRouting.arm); undefined once fired or never armed. */
  lockArm?: number;
  expArm?: number;
  schedArm?: number;
}

/** A subscription rule: the broker's filter and action, and the same written plainly. */
export interface MRule {
  name: string;
  filter: { type: 'true' } | { type: 'sql'; expression: string } | { type: 'correlation'; subject: string; properties: Record<string, unknown> };
  action?: string;
  takes: (p: Published) => boolean;
  apply?: (p: Published) => Published;
}

export interface EntityConfig {
  name: string;
  sessions: boolean;
  lockMs: number;
  maxDelivery: number;
  defaultTtl: number;
  dlqOnExpiry: boolean;
  forwardTo?: string;
  forwardDlqTo?: string;
  /** A subscription of the model's one topic: its rules (the first is created with it). */
  rules?: MRule[];
}

/** A topic message waiting for its scheduled time. */
export interface Pending extends Published {
  body: number;
  seq: number;
  sid?: string;
  enq: number;
  ttl: number;
  arm: number;
}

/** The model's one topic: its sequence numbers, duplicate-detection history, scheduled messages. */
export class MTopic {
  nextSeq = 1;
  readonly seen = new Map<string, { at: number; seq: number }>();
  readonly pending: Pending[] = [];
  constructor(readonly windowMs: number) {}
}

export interface MSession {
  holder?: number;
  until: number;
  arm: number;
  state: string | null;
}

export interface MReceiver {
  id: number;
  entity: MEntity;
  dlq: boolean;
  mode: 'peekLock' | 'receiveAndDelete';
  sid?: string;
  open: boolean;
}

export type Outcome = 'completed' | 'deleted' | 'dropped' | 'cancelled';

export class MEntity {
  main: MMsg[] = [];
  dlq: MMsg[] = [];
  nextSeq = 1;
  sessions = new Map<string, MSession>();
  constructor(readonly cfg: EntityConfig) {}
}

export class ModelError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export const MESSAGE_SIZE = 10;

/** The properties compared, always in this order, so that both sides print alike. */
export const FOLLOWED = ['n', 'tag', 'RuleName'] as const;
