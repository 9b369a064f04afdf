/**
 * The {@code aeron:} transport: channels across machines over Aeron's reliable UDP, with an
 * embedded media driver by default ({@link dev.hoare.channels.aeron.AeronTransport}; docs/aeron.md).
 */
package dev.hoare.channels.aeron;
