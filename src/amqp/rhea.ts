/**
 * rhea as the AMQP type codec for message sections (management bodies, CBS requests, the
 * sections a client sends). Only rhea's public exports are used; bytes reach rhea's decoder only
 * after src/amqp/engine/decoder.ts has checked every count in them.
 */
import rhea from 'rhea';

// rhea's typings omit Reader, Writer and the section constructors that the codec needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const types: any = (rhea as any).types;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const messageCodec: any = (rhea as any).message;
