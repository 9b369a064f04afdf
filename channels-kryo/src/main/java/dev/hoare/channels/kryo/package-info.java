/**
 * The Kryo codec (module channels-kryo): {@link dev.hoare.channels.kryo.KryoCodec#of} sends your
 * records, enums and sealed types as Kryo 5 bytes, registration always required. Kept out of
 * channels-core so that plain channels need no Kryo. The format and what decoding refuses:
 * docs/wire-format.md, "The kryo codec".
 */
package dev.hoare.channels.kryo;
