/**
 * Application property values of .NET types a message can carry but JavaScript has no type for:
 * a Guid (an AMQP uuid) and a TimeSpan (Service Bus's described `com.microsoft:timespan`). The
 * adapter that decodes a message wraps them so that a correlation filter declaring a property as
 * `guid` or `duration` matches only values of that type, as on Azure, where a string holding the
 * same text is a different value.
 */
export type TypedKind = 'guid' | 'duration';

export class TypedValue {
  constructor(
    readonly kind: TypedKind,
    /** Lower-case dashed text for a guid; the ISO 8601 duration as formatted by the one formatter. */
    readonly text: string,
  ) {}

  /** SQL filters and inspection see the text. */
  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }
}
