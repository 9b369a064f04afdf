/**
 * The <code>uds:</code> transport: channels over Unix domain stream sockets, with credits so that
 * capacity means across processes what it means in one (0 is a rendezvous). {@link
 * dev.hoare.channels.uds.UnixChannels} starts servers (fan-in, one sender, request/response) and
 * connects to them; {@link dev.hoare.channels.uds.UdsTransport} serves {@code uds:/path} URIs.
 * Sockets are created owner-only and peers checked with {@code SO_PEERCRED}. See docs/uds.md.
 */
package dev.hoare.channels.uds;
