/**
 * A guarded finite state machine: the allowed transitions are data, and anything else
 * throws (STYLE.md principle 2). Each transaction draws its diagram next to its table.
 */
import { SipErrorCode, SipStackError } from '../errors.ts';

export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

/**
 * The state after `from → to`; throws SIP_ILLEGAL_TRANSITION when the table has no such
 * edge. For machines that keep their state in a field of their own (a transaction held for
 * 64*T1 then needs no StateMachine object).
 */
export function checkedTransition<S extends string>(
  name: string,
  table: TransitionTable<S>,
  from: S,
  to: S,
): S {
  if (!table[from].includes(to)) {
    throw new SipStackError(
      SipErrorCode.IllegalTransition,
      `${name}: illegal transition ${from} → ${to}`,
    );
  }
  return to;
}

export class StateMachine<S extends string> {
  readonly #name: string;
  readonly #table: TransitionTable<S>;
  #state: S;

  constructor(name: string, initial: S, table: TransitionTable<S>) {
    this.#name = name;
    this.#state = initial;
    this.#table = table;
  }

  get state(): S {
    return this.#state;
  }

  is(...states: S[]): boolean {
    return states.includes(this.#state);
  }

  /** Move to `to`; throws SIP_ILLEGAL_TRANSITION when the table has no such edge. */
  transition(to: S): void {
    this.#state = checkedTransition(this.#name, this.#table, this.#state, to);
  }
}
